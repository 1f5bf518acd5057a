/**
 * `npm run bench:limits` (issue #11): what one request of each kind costs against Cloudflare's
 * per-invocation limits, measured in workerd via Miniflare with a baseline route in the same run —
 * workerd process CPU per request (median and p95 over batches), D1 queries and sequential round
 * trips per request — the D1 bytes a user takes (10 emails, 5 groups) and so the largest
 * directory per plan, and a production-time model of an initial sync and a first import under
 * the Free and Paid profiles. Environment: BENCH_USERS=10000 BENCH_BATCHES=12 BENCH_PER_BATCH=25
 * BENCH_SIZE_USERS=1000.
 */
import { createClient, query, type RequestSpec } from './lib/client.ts';
import { databaseBytes, type KindResult, measureKind } from './lib/limits-measure.ts';
import { importCapacity, syncCapacity, wallMinutes } from './lib/limits-model.ts';
import { person } from './lib/people.ts';
import { withNewWorkerd } from './lib/process-stats.ts';
import { machineInfo, writeResults } from './lib/results.ts';
import { bundleWorker, type Runtime, startRuntime } from './lib/runtime.ts';
import { seedUserDirectory } from './lib/seed.ts';
import { PROFILES } from '../worker/src/limits/profile.ts';

const int = (name: string, fallback: number) => {
  const n = Number(process.env[name] ?? fallback);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${name} must be a positive whole number`);
  return n;
};
const config = {
  users: int('BENCH_USERS', 10_000),
  batches: int('BENCH_BATCHES', 12),
  perBatch: int('BENCH_PER_BATCH', 25),
  sizeUsers: int('BENCH_SIZE_USERS', 1000),
};
const BULK_URN = 'urn:ietf:params:scim:api:messages:2.0:BulkRequest';
const PATCH_URN = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const ENTERPRISE_URN = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const log = (s: string) => console.log(s);
let runtime: Runtime | undefined;
for (const sig of ['SIGINT', 'SIGTERM'] as const) process.on(sig, () => void (runtime?.dispose() ?? Promise.resolve()).finally(() => process.exit(130)));

const created = (status: number[]): Pick<RequestSpec, 'expect'> => ({ expect: status });
const newUser = (tag: string, i: number, extra: Record<string, unknown> = {}) => ({ ...person(i + 1_000_000, tag).body, ...extra });

async function main() {
  const startedAt = new Date().toISOString();
  const script = bundleWorker('dist-limits', 'bench/worker/limits-entry.ts');
  const started = await withNewWorkerd(() => startRuntime(script, 'limits'));
  runtime = started.value;
  const pid = started.pid;
  if (pid === undefined) throw new Error('no workerd process found for the runtime');
  try {
    const client = createClient(runtime.url, runtime.token);
    log(`runtime: ${runtime.description}; seeding ${config.users.toLocaleString('en')} users…`);
    const { users } = await seedUserDirectory(client, config.users, 3, log);
    const someone = (i: number) => users[(Math.abs(i) * 7919) % users.length]!;
    const m = { batches: config.batches, perBatch: config.perBatch };
    // Entra ID's usual user update (its provisioning logs): Replace of active, a name part and an enterprise attribute.
    const entraReplace = (i: number) => ({
      schemas: [PATCH_URN],
      Operations: [
        { op: 'Replace', path: 'active', value: i % 2 === 0 ? 'True' : 'False' },
        { op: 'Replace', path: 'name.givenName', value: `Given${i}` },
        { op: 'Replace', path: `${ENTERPRISE_URN}:department`, value: `Dept ${i % 7}` },
      ],
    });
    const groups: string[] = [];
    for (let g = 0; g < 20; g++)
      groups.push(
        (
          await client.json<{ id: string }>({
            method: 'POST',
            path: '/scim/v2/Groups',
            body: { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: `Bench team ${g}` },
            expect: [201],
          })
        ).id,
      );
    const bulkOf = (i: number, n: number) => ({
      schemas: [BULK_URN],
      Operations: Array.from({ length: n }, (_, k) => ({ method: 'POST', path: '/Users', bulkId: `b${k}`, data: newUser(`bk${i}x`, k) })),
    });
    const kinds = [
      { kind: 'baseline: GET /api/v1/ping (token check, cached per isolate)', request: () => ({ method: 'GET', path: '/api/v1/ping', ...created([200]) }) },
      { kind: 'GET /Users/{id}', request: (i: number) => ({ method: 'GET', path: `/scim/v2/Users/${someone(i).id}`, ...created([200]) }) },
      {
        kind: 'GET /Users?filter=userName eq',
        request: (i: number) => ({ method: 'GET', path: `/scim/v2/Users?${query({ filter: `userName eq "${someone(i).userName}"` })}`, ...created([200]) }),
      },
      { kind: 'POST /Users', request: (i: number) => ({ method: 'POST', path: '/scim/v2/Users', body: newUser('np', i + 10), ...created([201]) }) },
      {
        kind: 'POST /Users with password',
        request: (i: number) => ({
          method: 'POST',
          path: '/scim/v2/Users',
          body: newUser('pw', i + 10, { password: `Pw-${i}-long-enough` }),
          ...created([201]),
        }),
      },
      {
        kind: 'PATCH /Users/{id}',
        request: (i: number) => ({
          method: 'PATCH',
          path: `/scim/v2/Users/${someone(i + 17).id}`,
          body: { schemas: [PATCH_URN], Operations: [{ op: 'replace', path: 'title', value: `t${i}` }] },
          ...created([200]),
        }),
      },
      {
        kind: 'PATCH /Users (Entra replace)',
        request: (i: number) => ({ method: 'PATCH', path: `/scim/v2/Users/${someone(i + 29).id}`, body: entraReplace(i), ...created([200]) }),
      },
      {
        kind: 'PATCH /Users (Okta active)',
        request: (i: number) => ({
          method: 'PATCH',
          path: `/scim/v2/Users/${someone(i + 41).id}`,
          body: { schemas: [PATCH_URN], Operations: [{ op: 'replace', value: { active: i % 2 === 0 } }] },
          ...created([200]),
        }),
      },
      {
        kind: 'PATCH /Groups members add',
        request: (i: number) => ({
          method: 'PATCH',
          path: `/scim/v2/Groups/${groups[Math.abs(i) % groups.length]}`,
          body: { schemas: [PATCH_URN], Operations: [{ op: 'Add', path: 'members', value: [{ value: someone(i + 53).id }] }] },
          ...created([204]),
        }),
      },
    ] as const;
    const results: KindResult[] = [];
    for (const k of kinds) {
      results.push(await measureKind(client, pid, { kind: k.kind, request: k.request as (i: number) => RequestSpec, ...m }));
      log(line(results.at(-1)!));
    }
    const bulk = await measureKind(client, pid, {
      kind: 'POST /Bulk of 100 user creates',
      request: (i) => ({ method: 'POST', path: '/scim/v2/Bulk', body: bulkOf(i + 10, 100), ...created([200]) }),
      batches: Math.max(4, Math.floor(config.batches / 2)),
      perBatch: 4,
    });
    results.push(bulk);
    log(line(bulk));
    const patches = await measureKind(client, pid, {
      kind: 'Bulk of 100 PATCHes',
      request: (i) => ({
        method: 'POST',
        path: '/scim/v2/Bulk',
        body: {
          schemas: [BULK_URN],
          Operations: Array.from({ length: 100 }, (_, k) => ({
            method: 'PATCH',
            path: `/Users/${users[(Math.abs(i) * 100 + k) % users.length]!.id}`,
            data: entraReplace(i),
          })),
        },
        ...created([200]),
      }),
      batches: Math.max(4, Math.floor(config.batches / 2)),
      perBatch: 4,
    });
    results.push(patches);
    log(line(patches));

    // D1 sizing: users with 10 emails, each in 5 groups, written through SCIM.
    const before = await databaseBytes(client);
    const sized: string[] = [];
    for (let i = 0; i < config.sizeUsers; i += 200) {
      const ops = Array.from({ length: Math.min(200, config.sizeUsers - i) }, (_, k) => ({
        method: 'POST',
        path: '/Users',
        bulkId: `s${k}`,
        data: newUser(`sz${i}x`, k, {
          emails: Array.from({ length: 10 }, (_, e) => ({ value: `p${i + k}.e${e}@mail${e}.example.org`, type: e === 0 ? 'work' : 'other', primary: e === 0 })),
        }),
      }));
      const res = await client.json<{ Operations: { location: string }[] }>({
        method: 'POST',
        path: '/scim/v2/Bulk',
        body: { schemas: [BULK_URN], Operations: ops },
        expect: [200],
      });
      sized.push(...res.Operations.map((o) => o.location.split('/').pop()!));
    }
    for (let g = 0; g < 5; g++) {
      const group = await client.json<{ id: string }>({
        method: 'POST',
        path: '/scim/v2/Groups',
        body: { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: `Sized ${g}` },
        expect: [201],
      });
      for (let i = 0; i < sized.length; i += 500)
        await client.json({
          method: 'PATCH',
          path: `/scim/v2/Groups/${group.id}`,
          body: { schemas: [PATCH_URN], Operations: [{ op: 'add', path: 'members', value: sized.slice(i, i + 500).map((value) => ({ value })) }] },
          expect: [200, 204],
        });
    }
    const bytesPerUser = ((await databaseBytes(client)) - before) / sized.length;

    const base = results[0]!;
    const post = results.find((r) => r.kind === 'POST /Users')!;
    const withPw = results.find((r) => r.kind === 'POST /Users with password')!;
    const cpuMsPerUser = bulk.cpuMsP50 / 100;
    const model = (['free', 'paid'] as const).map((name) => {
      const limits = PROFILES[name];
      const sync = syncCapacity(limits, { users: 10_000, bulkMax: 100, cpuMsPerUser, targetRate: 1333 });
      const perOp = syncCapacity(limits, { users: 10_000, bulkMax: 0, cpuMsPerUser: post.cpuMsP50, targetRate: 280 });
      const imp = importCapacity(limits, 20_000, cpuMsPerUser, 26);
      const secs = (c: { perInvocation: number }, rate: number) => Math.min(limits.wallMs.cron / 1000, c.perInvocation / rate + 1);
      return {
        name,
        sync: { ...sync, minutes: wallMinutes(sync, 1, 6, secs(sync, 1333)) },
        perOp: { ...perOp, minutes: wallMinutes(perOp, 1, 6, secs(perOp, 280)) },
        import: { ...imp, minutes: wallMinutes(imp, 1, 1, secs(imp, 1321)) },
      };
    });
    const usersIn = (limit: number) => Math.floor((limit * PROFILES.free.d1FullFraction) / bytesPerUser);
    const result = {
      startedAt,
      machine: machineInfo(),
      runtime: runtime.description,
      config,
      kinds: results,
      passwordRatio: withPw.cpuMsP50 / post.cpuMsP50,
      bytesPerUser,
      largest: { free: usersIn(PROFILES.free.d1Bytes), paid: usersIn(PROFILES.paid.d1Bytes) },
      cpuMsPerUser,
      model,
    };
    const md = report(result, base);
    log(`\n${md}`);
    log(writeResults('limits', startedAt, result, md).join('\n'));
  } finally {
    await runtime.dispose();
  }
}

const f = (n: number, d = 2) => (Number.isFinite(n) ? n.toFixed(d) : '∞');
const line = (r: KindResult) =>
  `  ${r.kind}: CPU ${f(r.cpuMsP50)} ms p50, ${f(r.cpuMsP95)} ms p95; ${f(r.queries, 1)} D1 queries, ${f(r.roundTrips, 1)} round trips`;

function report(r: any, base: KindResult): string {
  const rows = (r.kinds as KindResult[]).map(
    (k) =>
      `| ${k.kind} | ${f(k.cpuMsP50)} | ${f(k.cpuMsP95)} | ${f(k.cpuMsP50 / base.cpuMsP50, 1)}× | ${f(k.queries, 1)} | ${f(k.roundTrips, 1)} | ${k.requests} |`,
  );
  const modelRows = (r.model as any[]).flatMap((m) => [
    `| ${m.name} | initial sync, 10,000 users, target with Bulk (100) | ${m.sync.perInvocation.toLocaleString('en')} (${m.sync.boundBy}) | ${m.sync.invocations} | ${f(m.sync.minutes.cron, 0)} | ${f(m.sync.minutes.queue, 1)} |`,
    `| ${m.name} | initial sync, 10,000 users, one request per user | ${m.perOp.perInvocation.toLocaleString('en')} (${m.perOp.boundBy}) | ${m.perOp.invocations} | ${f(m.perOp.minutes.cron, 0)} | ${f(m.perOp.minutes.queue, 1)} |`,
    `| ${m.name} | first import, 20,000 Drupal users | ${m.import.perInvocation.toLocaleString('en')} (${m.import.boundBy}) | ${m.import.invocations} | ${f(m.import.minutes.cron, 0)} | ${f(m.import.minutes.queue, 1)} |`,
  ]);
  return [
    `# Limits benchmark — ${r.startedAt}`,
    '',
    `- Commit \`${r.machine.commit}\`${r.machine.dirty ? ' (uncommitted changes)' : ''}; ${r.machine.cpus} CPUs (${r.machine.cpuModel}); ${r.runtime}; ${r.config.users.toLocaleString('en')} users seeded by /Bulk.`,
    `- CPU: the workerd process's user+system time over batches of ${r.config.perBatch} sequential requests (Bulk: 4), ÷ requests; /proc counts 10 ms ticks, so one batch is one sample. Process CPU includes workerd's own HTTP and SQLite work, which Cloudflare does not bill as Worker CPU: read it against the baseline, the ping route (a token check the isolate caches) measured in the same run.`,
    '- D1: queries per request (a batch is one) and sequential round trips (a query started while another is in flight adds none).',
    '',
    '| request kind | CPU ms p50 | CPU ms p95 | × baseline | D1 queries | round trips | requests |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...rows,
    '',
    `A user create with a password costs ${f(r.passwordRatio)}× the CPU of one without (goal ≤ 1.3×): the password is neither hashed nor kept.`,
    '',
    `## D1 sizing`,
    '',
    `${r.config.sizeUsers.toLocaleString('en')} users with 10 emails each, each in 5 groups, written through SCIM (rows, value rows, memberships, change feed, indexes): **${Math.round(r.bytesPerUser).toLocaleString('en')} bytes per user**. At the relay's default threshold (95 % of the plan's database, then IdP writes get SCIM 507): Free (500 MB) about **${r.largest.free.toLocaleString('en')} users**, Paid (10 GB) about **${r.largest.paid.toLocaleString('en')} users**.`,
    '',
    '## Production-time model',
    '',
    `A model from the engine's costs (bench/lib/limits-model.ts) and this run's CPU (${f(r.cpuMsPerUser, 3)} ms per user, a Bulk create's share, standing in for a user moved in or out); the target keeps up (1,333 users/s with Bulk, 280/s one request at a time: bench:converge's local figures) and the Drupal site serves 26 pages/s (bench:import). Cron: one invocation a minute. Queue: consumer invocations back to back, each as long as its work — 6 at a time for a sync (one target's default concurrency), one at a time for an import (its pages are read in order); a model of the documented behaviour, which the Queues engineer's measured figures replace. Process CPU overstates the Worker CPU Cloudflare bills (it includes workerd's HTTP and the local D1's SQLite), so the CPU bounds are pessimistic.`,
    '',
    '| plan | work | per invocation (bound by) | invocations | minutes, cron every minute | minutes, queue |',
    '| --- | --- | --- | --- | --- | --- |',
    ...modelRows,
    '',
    "Today's design before this branch: a fixed 800-request budget and the shipped `*/5` cron — on Free an invocation failed at its 51st D1 query, and every figure above in cron minutes was ×5.",
    '',
  ].join('\n');
}

await main();
