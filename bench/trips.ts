/**
 * `npm run bench:trips` (issue #11 item 5): D1 round trips and queries per SCIM request kind, as
 * the limits meter counts them, and req/s of each kind beside a one-query baseline route measured
 * in the same runtime just before it. Locally D1 is in-process SQLite, so each kind also runs
 * with a modelled network delay per D1 call (BENCH_RTT_MS), which is what a round trip costs a
 * Worker far from D1's primary. Environment:
 *   BENCH_USERS=2000  BENCH_RTT_MS=0,20  BENCH_CONCURRENCY=8  BENCH_REQUESTS=400  BENCH_WARMUP_MS=1000  BENCH_MAX_MS=10000
 */
import path from 'node:path';
import { createClient, query, type RequestSpec } from './lib/client.ts';
import { measure, type LoadOptions } from './lib/load.ts';
import { deck } from './lib/operations.ts';
import { person } from './lib/people.ts';
import { machineInfo, writeResults } from './lib/results.ts';
import { bundleWorker, ROOT, startRuntime } from './lib/runtime.ts';
import { seedUserDirectory } from './lib/seed.ts';

const ints = (name: string, fallback: string) => (process.env[name] ?? fallback).split(',').map((s) => Number(s.trim()));
const config = {
  users: ints('BENCH_USERS', '2000')[0]!,
  rtts: ints('BENCH_RTT_MS', '0,20'),
  concurrency: ints('BENCH_CONCURRENCY', '8')[0]!,
  requests: ints('BENCH_REQUESTS', '400')[0]!,
  warmupMs: ints('BENCH_WARMUP_MS', '1000')[0]!,
  maxMs: ints('BENCH_MAX_MS', '10000')[0]!,
};
const log = (s: string) => console.log(s);
const PATCH_URN = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const BULK_URN = 'urn:ietf:params:scim:api:messages:2.0:BulkRequest';
const BULK_OPS = 10;

interface Usage {
  d1Queries: number;
  d1TripsToResponse?: number;
}
interface Row {
  kind: string;
  rttMs: number;
  trips: number;
  maxTrips: number;
  queries: number;
  rps: number;
  baselineRps: number;
  p50: number;
  baselineP50: number;
  errors: number;
}

let dispose: (() => Promise<void>) | undefined;
// The runtime is ours to stop, on success, on error and on Ctrl-C alike.
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, () => {
    void (dispose?.() ?? Promise.resolve()).finally(() => process.exit(130));
  });
}

async function main(): Promise<void> {
  const startedAt = new Date().toISOString();
  log('bundling the worker with the bench entry (wrangler deploy --dry-run)…');
  const script = bundleWorker('dist-trips', path.join(ROOT, 'bench/worker/trips-entry.ts'));
  const runtime = await startRuntime(script, 'trips');
  dispose = () => runtime.dispose();
  try {
    const client = createClient(runtime.url, runtime.token);
    const bench = async <T>(p: string, method: RequestSpec['method'] = 'GET') => client.json<T>({ method, path: `/__bench/${p}`, expect: [200] });
    log(`seeding ${config.users} users through /Bulk…`);
    const { users } = await seedUserDirectory(createClient(runtime.url, runtime.token, { keepAlive: false }), config.users, 2, log);
    const group = await client.json<{ id: string }>({
      method: 'POST',
      path: '/scim/v2/Groups',
      body: { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: 'Bench team', members: users.slice(0, 20).map((u) => ({ value: u.id })) },
      expect: [201],
    });
    // The first half is read and written; DELETE takes the second half, in order.
    const half = Math.floor(users.length / 2);
    const user = deck(users.slice(0, half), 7);
    const member = deck(users.slice(20, half), 8);
    const doomed = users.slice(half);
    let created = 0;
    let deleted = 0;
    const added = new Map<number, string>();
    const kinds: [string, (lane: number) => RequestSpec][] = [
      ['GET /Users/{id}', () => ({ method: 'GET', path: `/scim/v2/Users/${user().id}`, expect: [200] })],
      ['GET /Groups/{id} (20 members)', () => ({ method: 'GET', path: `/scim/v2/Groups/${group.id}`, expect: [200] })],
      [
        'GET /Users?filter=userName eq',
        () => ({ method: 'GET', path: `/scim/v2/Users?${query({ filter: `userName eq "${user().userName}"` })}`, expect: [200] }),
      ],
      ['POST /Users', () => ({ method: 'POST', path: '/scim/v2/Users', body: person(1_000_000 + created++, 'trip').body, expect: [201] })],
      [
        'PUT /Users/{id}',
        () => {
          const u = user();
          return {
            method: 'PUT',
            path: `/scim/v2/Users/${u.id}`,
            body: { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: u.userName, displayName: `Put ${created++}` },
            expect: [200],
          };
        },
      ],
      [
        'PATCH /Users/{id}',
        () => ({
          method: 'PATCH',
          path: `/scim/v2/Users/${user().id}`,
          body: { schemas: [PATCH_URN], Operations: [{ op: 'replace', path: 'displayName', value: `P ${created++}` }] },
          expect: [200],
        }),
      ],
      [
        'PATCH /Groups/{id} (add, remove a member)',
        (lane) => {
          const back = added.get(lane);
          added.delete(lane);
          const id = back ?? member().id;
          if (!back) added.set(lane, id);
          const op = back ? { op: 'remove', path: `members[value eq "${id}"]` } : { op: 'add', path: 'members', value: [{ value: id }] };
          return { method: 'PATCH', path: `/scim/v2/Groups/${group.id}`, body: { schemas: [PATCH_URN], Operations: [op] }, expect: [204] };
        },
      ],
      ['DELETE /Users/{id}', () => ({ method: 'DELETE', path: `/scim/v2/Users/${doomed[deleted++ % doomed.length]!.id}`, expect: [204, 404] })],
      [
        `POST /Bulk (${BULK_OPS} PATCH operations)`,
        () => ({
          method: 'POST',
          path: '/scim/v2/Bulk',
          body: {
            schemas: [BULK_URN],
            Operations: Array.from({ length: BULK_OPS }, () => ({
              method: 'PATCH',
              path: `/Users/${user().id}`,
              data: { schemas: [PATCH_URN], Operations: [{ op: 'replace', path: 'title', value: `T ${created++}` }] },
            })),
          },
          expect: [200],
        }),
      ],
    ];
    const opts: LoadOptions = { concurrency: config.concurrency, warmupMs: config.warmupMs, requests: config.requests, maxMs: config.maxMs };
    const rows: Row[] = [];
    for (const rttMs of config.rtts) {
      await bench(`rtt?ms=${rttMs}`, 'POST');
      log(`\n━━ modelled D1 round trip: ${rttMs} ms ━━`);
      for (const [kind, next] of kinds) {
        // DELETE's pool is only so deep: its warm-up and load stay inside it.
        const o = kind.startsWith('DELETE')
          ? { ...opts, warmupMs: 0, requests: Math.min(opts.requests, Math.floor(doomed.length / config.rtts.length) - 1) }
          : opts;
        const base = await measure(client, () => ({ method: 'GET', path: '/__bench/one-query', expect: [200] }), { ...o, warmupMs: Math.min(500, o.warmupMs) });
        await bench('usage');
        const result = await measure(client, next, o);
        // The meter keeps the last 100 invocations: all of them requests of this kind.
        const usages = (await bench<Usage[]>('usage')).filter((u) => u.d1TripsToResponse !== undefined);
        const trips = usages.map((u) => u.d1TripsToResponse!);
        const row: Row = {
          kind,
          rttMs,
          trips: trips.reduce((a, b) => a + b, 0) / Math.max(1, trips.length),
          maxTrips: Math.max(...trips),
          queries: usages.reduce((a, u) => a + u.d1Queries, 0) / Math.max(1, usages.length),
          rps: result.rps,
          baselineRps: base.rps,
          p50: result.p50,
          baselineP50: base.p50,
          errors: result.errors + base.errors,
        };
        rows.push(row);
        log(
          `${kind.padEnd(44)} trips ${row.trips.toFixed(2)} (max ${row.maxTrips})  queries ${row.queries.toFixed(2)}  ${row.rps.toFixed(0)} req/s vs baseline ${row.baselineRps.toFixed(0)} (${(row.rps / row.baselineRps).toFixed(2)}×)${row.errors ? `  ERRORS ${row.errors}: ${[...result.errorSamples, ...base.errorSamples][0]}` : ''}`,
        );
      }
    }
    const md = markdown(rows, startedAt);
    log(`\n${md}`);
    log(`wrote ${writeResults('trips', startedAt, { startedAt, machine: machineInfo(), config, rows }, md).join(' and ')}`);
    const errors = rows.reduce((n, r) => n + r.errors, 0);
    if (errors > 0) {
      console.error(`\n!!! ${errors} REQUESTS FAILED — these figures are not a clean run`);
      process.exitCode = 1;
    }
  } finally {
    await runtime.dispose();
  }
}

function markdown(rows: Row[], startedAt: string): string {
  const m = machineInfo();
  const lines = [
    `# D1 round trips per SCIM request kind — ${startedAt}`,
    '',
    `- Commit \`${m.commit}\`; ${m.cpus} CPUs; workerd via Miniflare, local D1; ${config.users} users; c=${config.concurrency}, up to ${config.requests} requests per row.`,
    "- trips: sequential D1 round trips before the response (mean over the last 100 requests of the kind, and the max); queries: D1 calls (a batch is one). A max one above the kind's figure is the token check every 30 s (the token cache), or a PATCH retried after a concurrent write.",
    '- baseline: `GET /__bench/one-query` (one D1 query, no auth) under the same meter and modelled delay, measured just before each row.',
    '',
    '| request kind | modelled RTT ms | trips | max | queries | req/s | baseline req/s | ÷ baseline | p50 ms | baseline p50 ms |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...rows.map(
      (r) =>
        `| ${r.kind} | ${r.rttMs} | ${r.trips.toFixed(2)} | ${r.maxTrips} | ${r.queries.toFixed(2)} | ${r.rps.toFixed(0)} | ${r.baselineRps.toFixed(0)} | ${(r.rps / r.baselineRps).toFixed(2)}× | ${r.p50.toFixed(1)} | ${r.baselineP50.toFixed(1)} |`,
    ),
    '',
  ];
  return lines.join('\n');
}

await main();
