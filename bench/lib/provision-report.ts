/** bench:provision's figures, derived from the raw runs; its markdown report and goal checks. */
import type { Phase, ScenarioResult } from './provision-scenario.ts';

/** The issue's goals for the initial sync of the largest size, in seconds. */
export const INITIAL_SYNC_GOAL_S = { 'per-operation': 40, bulk: 10 } as const;
/**
 * Memory is "flat" when what relay A's worker retains (its isolate's heap after a full GC) grows
 * during the sync of the largest size by at most this much more than during the smallest's…
 */
export const MEMORY_GROWTH_TOLERANCE = 1.5;
/** …plus this (MiB): V8's own bookkeeping between two collections */
export const MEMORY_NOISE_MIB = 4;
/** wrangler.toml's cron: every 5 minutes */
export const CRON_INTERVAL_MIN = 5;

export interface BenchProvisionResult {
  startedAt: string;
  finishedAt: string;
  machine: { cpus: number; cpuModel: string; node: string; platform: string; commit: string; dirty: boolean };
  runtime: string;
  config: Record<string, unknown>;
  runs: ScenarioResult[];
}

export interface Rates {
  seconds: number;
  usersPerSecond: number;
  requests: number;
  requestsPerUser: number;
  /** target.concurrency ÷ B's ping p50, capped by target.rateLimitPerSecond */
  requestLimitPerSecond: number;
  /** requestLimitPerSecond ÷ requestsPerUser */
  userLimitPerSecond: number;
  /** usersPerSecond ÷ userLimitPerSecond */
  ofLimit: number;
}

export function rates(run: ScenarioResult, phase: Phase, users: number): Rates {
  const seconds = phase.drain.ms / 1000;
  const requests = phase.traffic.requests;
  const requestsPerUser = requests / users;
  const requestLimitPerSecond = Math.min((run.concurrency * 1000) / run.ping.p50, run.rateLimitPerSecond);
  const userLimitPerSecond = requestLimitPerSecond / requestsPerUser;
  const usersPerSecond = users / seconds;
  return { seconds, usersPerSecond, requests, requestsPerUser, requestLimitPerSecond, userLimitPerSecond, ofLimit: usersPerSecond / userLimitPerSecond };
}

const n0 = (x: number) => (Number.isFinite(x) ? Math.round(x).toLocaleString('en') : '–');
const f = (x: number, d = 1) => (Number.isFinite(x) ? x.toFixed(d) : '–');
const pct = (x: number) => (Number.isFinite(x) ? `${(x * 100).toFixed(x < 0.1 ? 1 : 0)}%` : '–');
const k = (n: number) => (n >= 1000 && n % 1000 === 0 ? `${n / 1000}k` : n.toLocaleString('en'));
const growthMiB = (r: ScenarioResult) => r.memory.peakMiB - r.memory.startMiB;
const heapGrowthMiB = (r: ScenarioResult) => r.memory.heapEndMiB - r.memory.heapStartMiB;
const per1k = (mib: number, users: number) => (mib * 1000) / users;

function table(head: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(head), line(head.map(() => '---')), ...rows.map(line)].join('\n');
}

export function initialTable(runs: ScenarioResult[]): string {
  return table(
    [
      'mode',
      'users',
      'initial sync s',
      'users/s',
      'requests',
      'req/user',
      'B ping p50 ms',
      'limit users/s',
      'achieved ÷ limit',
      'ticks',
      `at the */${CRON_INTERVAL_MIN} cron`,
    ],
    runs.map((r) => {
      const x = rates(r, r.initial, r.users);
      return [
        r.mode,
        n0(r.users),
        f(x.seconds),
        n0(x.usersPerSecond),
        n0(x.requests),
        f(x.requestsPerUser, 3),
        f(r.ping.p50, 2),
        n0(x.userLimitPerSecond),
        pct(x.ofLimit),
        String(r.initial.drain.ticks.length),
        `${r.initial.drain.ticks.length * CRON_INTERVAL_MIN} min`,
      ];
    }),
  );
}

export function updateTable(runs: ScenarioResult[]): string {
  return table(
    [
      'mode',
      'users',
      'changed',
      'queued',
      'updates s',
      'requests',
      'req/changed user',
      'unchanged users sent to',
      'resync of unchanged: queued / requests / writes on B',
      'B users',
      'titles arrived',
    ],
    runs.map((r) => {
      const c = r.correctness;
      return [
        r.mode,
        n0(r.users),
        n0(r.updates),
        n0(r.update.queued),
        f(r.update.drain.ms / 1000),
        n0(r.update.traffic.requests),
        f(r.update.traffic.requests / r.updates, 3),
        String(r.unchangedTouched),
        `${n0(r.resync.queued)} / ${r.resync.traffic.requests} / ${r.resync.writesOnB.rows}`,
        `${n0(c.usersOnB)}${c.missingOnB + c.extraOnB > 0 ? ` (**${c.missingOnB} missing, ${c.extraOnB} extra**)` : ''}`,
        `${n0(c.updatedTitlesArrived)} / ${n0(c.updated)}${c.titlesWrong > 0 ? ` (**${c.titlesWrong} wrong**)` : ''}`,
      ];
    }),
  );
}

export function memoryTable(runs: ScenarioResult[]): string {
  return table(
    [
      'mode',
      'users',
      "A worker's heap after GC MiB (start → end)",
      'retained per 1k users MiB',
      'A RSS start MiB',
      'middle',
      'end',
      'peak',
      'RSS growth during sync',
      'RSS growth per 1k users',
      'anonymous (RssAnon) growth',
      'A D1 files MiB (start → end)',
      'B RSS at end',
    ],
    runs.map((r) => [
      r.mode,
      n0(r.users),
      `${f(r.memory.heapStartMiB)} → ${f(r.memory.heapEndMiB)}`,
      f(per1k(heapGrowthMiB(r), r.users), 2),
      f(r.memory.startMiB),
      f(r.memory.middleMiB),
      f(r.memory.endMiB),
      f(r.memory.peakMiB),
      f(growthMiB(r)),
      f(per1k(growthMiB(r), r.users)),
      f(r.memory.anonPeakMiB - r.memory.anonStartMiB),
      `${f(r.memory.dbStartMiB)} → ${f(r.memory.dbEndMiB)}`,
      f(r.memory.bAtEndMiB),
    ]),
  );
}

export function kindsTable(runs: ScenarioResult[]): string {
  const rows = runs.flatMap((r) =>
    (['initial', 'update'] as const).flatMap((phase) =>
      r[phase].traffic.kinds.map((x) => [
        r.mode,
        n0(r.users),
        phase,
        `\`${x.kind}\``,
        x.operation,
        n0(x.count),
        String(x.failed),
        f(x.p50Ms, 0),
        f(x.p95Ms, 0),
      ]),
    ),
  );
  return table(['mode', 'users', 'phase', 'request', 'operation', 'count', 'failed', 'p50 ms (A)', 'p95 ms (A)'], rows);
}

export function tickTable(runs: ScenarioResult[]): string {
  return table(
    [
      'mode',
      'users',
      'ticks',
      'tick s (median)',
      'users per tick (median)',
      'Σ ticks s',
      'drain s',
      'bulk operations',
      'CPU A / B / bench (cores)',
      'load avg',
      'seeding A by /Bulk, users/s',
    ],
    runs.map((r) => {
      const t = r.initial.drain.ticks;
      const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;
      return [
        r.mode,
        n0(r.users),
        String(t.length),
        f(med(t.map((x) => x.ms)) / 1000, 2),
        n0(med(t.map((x) => x.counts.claimed ?? 0))),
        f(r.initial.drain.tickMs / 1000),
        f(r.initial.drain.ms / 1000),
        n0(r.initial.traffic.bulkOperations),
        `${f(r.initial.cpu.relayA, 2)} / ${f(r.initial.cpu.relayB, 2)} / ${f(r.initial.cpu.bench, 2)}`,
        f(r.initial.loadAvg, 1),
        n0(r.users / (r.seedMs / 1000)),
      ];
    }),
  );
}

export function goalLines(runs: ScenarioResult[]): string[] {
  const out: string[] = [];
  for (const mode of ['per-operation', 'bulk'] as const) {
    const mine = runs.filter((r) => r.mode === mode).sort((a, b) => a.users - b.users);
    const largest = mine[mine.length - 1];
    if (!largest) continue;
    const x = rates(largest, largest.initial, largest.users);
    const goal = INITIAL_SYNC_GOAL_S[mode];
    out.push(`${x.seconds < goal ? 'PASS' : 'FAIL'}: ${mode}: initial sync of ${k(largest.users)} users in ${f(x.seconds)} s (goal < ${goal} s)`);
    const perChanged = largest.update.traffic.requests / largest.updates;
    const updOk = mode === 'per-operation' ? perChanged === 1 : perChanged <= 1;
    out.push(`${updOk ? 'PASS' : 'FAIL'}: ${mode}: ${f(perChanged, 3)} requests per changed user (goal ${mode === 'per-operation' ? '1' : '≤ 1'})`);
    const zero =
      largest.update.queued === largest.updates &&
      largest.unchangedTouched === 0 &&
      largest.resync.traffic.requests === 0 &&
      largest.resync.writesOnB.rows === 0;
    out.push(
      `${zero ? 'PASS' : 'FAIL'}: ${mode}: unchanged users cost nothing — ${largest.update.queued} rows queued for ${largest.updates} changed users, ${largest.unchangedTouched} unchanged users sent to; ${largest.resync.queued} unchanged users queued again: ${largest.resync.traffic.requests} requests, ${largest.resync.writesOnB.rows} writes on B`,
    );
    const smallest = mine[0]!;
    if (smallest !== largest) {
      const [hs, hl] = [heapGrowthMiB(smallest), heapGrowthMiB(largest)];
      const flat = hl <= Math.max(hs, 0) * MEMORY_GROWTH_TOLERANCE + MEMORY_NOISE_MIB;
      out.push(
        `${flat ? 'PASS' : 'FAIL'}: ${mode}: relay A's worker retained ${f(hl)} MiB more heap after the sync of ${k(largest.users)} users vs ${f(hs)} MiB for ${k(smallest.users)} (flat: ≤ ${MEMORY_GROWTH_TOLERANCE}× + ${MEMORY_NOISE_MIB} MiB)`,
      );
      const [gs, gl] = [growthMiB(smallest), growthMiB(largest)];
      out.push(
        `INFO: ${mode}: relay A's workerd RSS grew ${f(gl)} MiB during the sync of ${k(largest.users)} users (${f(per1k(gl, largest.users))} per 1k) vs ${f(gs)} MiB for ${k(smallest.users)} (${f(per1k(gs, smallest.users))} per 1k); RSS also holds the local D1 simulator and heap V8 reserved, see bench/README.md`,
      );
    }
  }
  return out;
}

/** Anything that makes a run not clean: failed requests, an outbox that did not drain, a wrong copy. */
export function errorLines(runs: ScenarioResult[]): string[] {
  return runs.flatMap((r) => {
    const tag = `${r.mode} ${k(r.users)}`;
    const c = r.correctness;
    return [
      ...(['initial', 'update', 'resync'] as const).flatMap((p) => [
        ...(r[p].drain.stuck ? [`${tag} ${p}: the outbox did not drain: ${r[p].drain.stuck}`] : []),
        ...(r[p].traffic.failedRequests + r[p].traffic.failedBulkOperations > 0
          ? [`${tag} ${p}: ${r[p].traffic.failedRequests} requests and ${r[p].traffic.failedBulkOperations} Bulk operations failed`]
          : []),
        ...(r[p].drain.backoffWaitS > 0 ? [`${tag} ${p}: waited ${f(r[p].drain.backoffWaitS)} s for rows in retry backoff`] : []),
      ]),
      ...(c.usersOnB !== r.users || c.missingOnB + c.extraOnB + c.titlesWrong > 0 || c.updatedTitlesArrived !== c.updated
        ? [
            `${tag}: B has ${c.usersOnB} users (expected ${r.users}), ${c.missingOnB} missing, ${c.extraOnB} extra, ${c.titlesWrong} titles wrong, ${c.updatedTitlesArrived}/${c.updated} updated titles arrived`,
          ]
        : []),
    ];
  });
}

export function markdown(result: BenchProvisionResult): string {
  const m = result.machine;
  const errors = errorLines(result.runs);
  return [
    `# Provisioning benchmark — ${result.startedAt}`,
    '',
    errors.length > 0 ? `> **⚠ NOT A CLEAN RUN — see "Errors".**\n` : '',
    `- Commit \`${m.commit}\`${m.dirty ? ' (working tree has uncommitted changes)' : ''}; Node ${m.node} (${m.platform}); ${m.cpus} CPUs (${m.cpuModel}); relays A and B and the bench share the machine.`,
    `- Runtime: ${result.runtime}; relay A and relay B are two runtimes of the same worker, each with its own D1, fresh for every run.`,
    `- Config: ${JSON.stringify(result.config)}.`,
    '- Initial sync: every user queued for the target (by the change-log trigger as they were seeded), drained by back-to-back scheduled invocations; timed from the first tick until the outbox is empty.',
    "- Requests: relay A's audit events (one per outbound request; the per-operation events inside a Bulk request are not counted as requests). Limit: target concurrency ÷ p50 of `GET /api/v1/ping` on B (sequential, from the bench, same run), capped by the rate limit, ÷ requests per user.",
    '',
    '## Initial sync',
    '',
    initialTable(result.runs),
    '',
    '## Updates, unchanged users, correctness',
    '',
    updateTable(result.runs),
    '',
    '## Memory (relay A during the initial sync)',
    '',
    "Retained: the live heap of relay A's worker isolate after a full GC (inspector), before and after the sync. RSS: relay A's workerd process (VmRSS), which also holds the local D1 simulator's SQLite and isolate, Miniflare's helper workers and heap V8 reserved.",
    '',
    memoryTable(result.runs),
    '',
    '## Ticks and CPU (initial sync)',
    '',
    `CPU is each process's user + system time during the drain ÷ its wall time (on ${m.cpus} CPUs). Seeding rate: relay A ingesting the same users by /Bulk (${result.config.seedConcurrency} requests at a time), the same code that ingests them on relay B.`,
    '',
    tickTable(result.runs),
    '',
    '## Requests by kind (as relay A timed them)',
    '',
    kindsTable(result.runs),
    '',
    '## Goals',
    '',
    ...goalLines(result.runs).map((l) => `- ${l}`),
    '',
    ...(errors.length > 0 ? ['## Errors', '', ...errors.map((l) => `- ${l}`), ''] : []),
  ].join('\n');
}
