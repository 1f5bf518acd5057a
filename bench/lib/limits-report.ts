/** bench:limits's Markdown report (bench/results/limits-latest.md) and the model's rows. */
import { PROFILES } from '../../worker/src/limits/profile.ts';
import { type Calibration, calibrationLine, SAMPLING_US } from './isolate-cpu.ts';
import type { KindResult } from './limits-measure.ts';
import { CPU_MS } from '../../worker/src/limits/cpu.ts';
import { type Capacity, D1_TRIP_S, ENGINE, importCapacity, QUEUE, type QueueTime, queueTime, syncCapacity, type Workload } from './limits-model.ts';
import type { CpuAgainstModel, Spread } from './limits-invocation-cpu.ts';
import type { QueueSyncResult } from './limits-queue.ts';
import type { MachineInfo } from './results.ts';

/** Cloudflare Queues on the Workers Free plan: operations a day (a message is a write, a read and a delete). */
export const FREE_QUEUE_OPS_PER_DAY = 10_000;
/** Free's CPU per invocation, the goal for every request kind */
const GOAL_MS = PROFILES.free.cpuMs;

export interface ModelRow {
  name: 'free' | 'paid';
  sync: Capacity & { cronMinutes: number };
  perOp: Capacity & { cronMinutes: number };
  /** a first import of 20,000 Drupal users in the cron's share of each tick */
  import: Capacity & { cronMinutes: number };
  /** the same import through the work queue: each invocation a consumer's, all of it the import's */
  importByQueue: Capacity;
  /** the initial sync with Bulk through the work queue */
  syncQueue: QueueTime;
}

/** What a local run cannot show: the cron's cadence (one invocation a minute), the queue's hops. */
export function modelRows(): ModelRow[] {
  return (['free', 'paid'] as const).map((name) => {
    const limits = PROFILES[name];
    const cron = (c: Capacity) => ({ ...c, cronMinutes: c.invocations });
    const bulk: Workload = { users: 10_000, bulkMax: 100, targetRate: 1333 };
    const sync = syncCapacity(limits, bulk);
    return {
      name,
      sync: cron(sync),
      perOp: cron(syncCapacity(limits, { users: 10_000, bulkMax: 0, targetRate: 280 })),
      import: cron(importCapacity(limits, 20_000, ENGINE.importShare, 26)),
      importByQueue: importCapacity(limits, 20_000, 1, 26),
      syncQueue: queueTime(sync, bulk),
    };
  });
}

export interface LimitsRun {
  startedAt: string;
  machine: MachineInfo;
  config: { users: number; bigGroup: number; planRows?: number; batches: number; perBatch: number; sizeUsers: number; queueUsers: number };
  directory: {
    runtime: string;
    seedS: number;
    syncS: number;
    kinds: KindResult[];
    scimCount: number;
    loadAvg: number[];
    /** the isolate CPU measurement's standard and its check (isolate-cpu.ts); absent in runs before it */
    calibration?: Calibration;
  } | null;
  passwordRatio: number | null;
  sizing: { bytesPerUser: number; largest: { free: number; paid: number } } | null;
  queue: QueueSyncResult[];
  /** phases whose figures come from an earlier run (BENCH_MERGE) */
  merged?: { from: string; commit: string; phases: string[] } | null;
  model: ModelRow[] | null;
}

const f = (n: number | undefined, d = 2) => (n === undefined ? '—' : Number.isFinite(n) ? n.toFixed(d) : '∞');
const en = (n: number) => n.toLocaleString('en');

/**
 * The figure each kind is judged by against Free's 10 ms: the Worker's CPU p95 measured in its
 * isolate (isolate-cpu.ts); runs before that measurement (merged JSON) have none.
 */
export const workerCpuP95 = (k: KindResult): number | undefined => k.worker?.p95;

/** The kinds whose Worker CPU p95 is at or over Free's 10 ms, with the figure. */
export function overGoal(kinds: readonly KindResult[]): string[] {
  return kinds.flatMap((k) => {
    const p95 = workerCpuP95(k);
    return p95 !== undefined && p95 >= GOAL_MS ? [`${k.kind}: ${f(p95, 1)} ms`] : [];
  });
}

function kindRows(kinds: KindResult[], base: KindResult): string[] {
  return kinds.map((k) => {
    const goal = k.cpuMsP95 < GOAL_MS ? 'yes' : '**no**';
    const share = k.sqliteMs === undefined ? '—' : `${f(k.sqliteMs)} (${Math.round((100 * k.sqliteMs) / Math.max(k.cpuMsP50, 0.01))} %)`;
    const scans = k.scans && k.scans.length > 0 ? k.scans.map((s) => `\`${s.line}\``).join('<br>') : '';
    const w = k.worker;
    const mark = w !== undefined && isSuspect(w.share) ? ' †' : '';
    const worker = w === undefined ? '— | — | —' : `${f(w.p50)}${mark} | ${f(w.p95)}${mark} | ${w.p95 < GOAL_MS ? 'yes' : '**no**'}`;
    return `| ${k.kind} | ${f(k.cpuMsP50)} | ${f(k.cpuMsP95)} | ${goal} | ${f(k.cpuMsP50 / base.cpuMsMean, 1)}× | ${f(k.queries, 1)} | ${f(k.roundTrips, 1)} | ${share} | ${worker} | ${scans} |`;
  });
}

const KIND_HEAD = [
  '| request kind | process CPU ms p50 | process CPU ms p95 | p95 < 10 ms | × baseline | D1 queries | round trips | SQLite ms (share of p50) | Worker CPU ms p50 | Worker CPU ms p95 | Worker p95 < 10 ms | plan lines that scan |',
  '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
];

/**
 * A recorded share far from the usual 85–120 % (isolate-cpu.ts) says the standard itself ran
 * differently in that pass (its code deoptimised, say): the kind's figures are suspect.
 */
const isSuspect = (share: number) => share < 0.7 || share > 1.4;

/** The kinds of one table over the goal, in words (empty when none is), and those whose Worker CPU is suspect. */
function overLine(kinds: KindResult[]): string[] {
  const over = overGoal(kinds);
  const suspect = kinds.filter((k) => k.worker && isSuspect(k.worker.share)).map((k) => `${k.kind} (${f(k.worker!.share * 100, 0)} %)`);
  return [
    '',
    over.length === 0 ? 'Worker CPU p95 over 10 ms: none.' : `Worker CPU p95 over 10 ms: ${over.join('; ')}.`,
    ...(suspect.length === 0
      ? []
      : [
          '',
          `† The profile recorded a share of the standard's CPU outside 70–140 % for ${suspect.join('; ')}: the standard ran differently in that pass, so its Worker CPU is suspect.`,
        ]),
  ];
}

/** The recorded share over the kinds: how much the standard had to scale (near 100 % is a sampler that kept up). */
function shareRange(kinds: KindResult[]): string {
  const shares = kinds.flatMap((k) => (k.worker ? [k.worker.share * 100] : []));
  return shares.length === 0 ? '' : ` (the profile recorded ${f(Math.min(...shares), 0)}–${f(Math.max(...shares), 0)} % of the standard's CPU over the kinds)`;
}

function directorySection(r: LimitsRun): string[] {
  const d = r.directory;
  if (!d) return [];
  const base = d.kinds[0]!;
  return [
    `- ${d.runtime}; **${en(r.config.users)} users** (a group of ${en(Math.min(r.config.bigGroup, r.config.users))} and five of 100), seeded through SCIM /Bulk and group PATCHes in ${f(d.seedS, 0)} s. Load average during the run (1/5/15 min, at its end): ${d.loadAvg.map((l) => f(l)).join(' / ')} on ${r.machine.cpus} CPUs shared with other engineers' work.`,
    `- **CPU**: the workerd process's user+system time over batches of ${r.config.perBatch} sequential requests (Bulk: 4), ÷ requests; /proc counts 10 ms ticks, so one batch is one sample, and p95 is over ${r.config.batches} batches. Process CPU includes workerd's HTTP handling and the local D1's SQLite, which in production runs inside D1, not in the Worker, and is not billed as Worker CPU.`,
    "- **SQLite ms**: the kind's statements, logged as they ran and replayed in the same order in Node's SQLite (node:sqlite) on a copy of the database taken after seeding, ÷ requests: the part of the process CPU that D1 would spend in production. **Plan lines that scan**: `EXPLAIN QUERY PLAN` of each distinct statement (`SCAN` reads a whole table or index; `SEARCH` seeks).",
    `- **Worker CPU**: what Cloudflare bills, measured in the worker's own isolate (bench/lib/isolate-cpu.ts): V8's CPU profiler on it, every ${SAMPLING_US} µs, over a second pass of as many requests, each after a request of a known pure-JS standard whose recorded share scales the samples; p50 and p95 per request${shareRange(d.kinds)}. It leaves out what the process figure holds besides (Miniflare's entry worker, the D1 simulator, SQLite, HTTP) and is what each kind is judged by against Free's 10 ms.${d.calibration ? ` This run's ${calibrationLine(d.calibration)}.` : ''}`,
    "- **× baseline**: p50 ÷ the baseline's mean (its p50 is a whole tick or none). **D1**: queries per request (a batch is one) and sequential round trips (a query started while another is in flight adds none).",
    '',
    // BENCH_KINDS may leave either table with the baseline alone: it is left out then
    ...(d.scimCount > 1
      ? ['### SCIM', '', ...KIND_HEAD, ...kindRows(d.kinds.slice(0, d.scimCount), base), ...overLine(d.kinds.slice(0, d.scimCount)), '']
      : []),
    ...(d.kinds.length > d.scimCount
      ? [
          '### Admin API (console, popup, People page)',
          '',
          `Against a target on relay B scoped to the big group and synced before (${f(d.syncS, 0)} s: links, runs and audit events for ${en(Math.min(r.config.bigGroup, r.config.users))} users), then ${en(r.config.planRows ?? 0)} of them changed (rows waiting: its plan decides a page of 200); the scope previews count over the whole directory.`,
          '',
          ...KIND_HEAD,
          ...kindRows([base, ...d.kinds.slice(d.scimCount)], base),
          ...overLine(d.kinds.slice(d.scimCount)),
          '',
        ]
      : []),
    r.passwordRatio === null
      ? ''
      : `A user create with a password costs ${f(r.passwordRatio)}× the CPU of one without (goal ≤ 1.3×): the password is neither hashed nor kept.`,
    '',
  ];
}

function queueSection(r: LimitsRun): string[] {
  if (r.queue.length === 0) return [];
  const rows = r.queue.map(
    (q) =>
      `| ${q.profile} | ${en(q.onB)} / ${en(q.users)} | ${q.invocations} | ${q.messages} | ${f(q.queries.mean, 1)} (max ${q.queries.max}) | ${f(q.subrequests.mean, 1)} (max ${q.subrequests.max}) | ${f(q.invocationMs.p50, 0)} (max ${f(q.invocationMs.max, 0)}) | ${f(q.cpuMsPerInvocation, 1)} | ${q.sqliteMsPerInvocation === undefined ? '—' : f(q.sqliteMsPerInvocation, 1)} | ${f(q.wallS, 1)} | ${en(q.queueOperations)} (${f((100 * q.queueOperations) / FREE_QUEUE_OPS_PER_DAY, 1)} % of Free's day) | ${f(q.loadAvg)} |`,
  );
  return [
    '## Queues, measured',
    '',
    `Initial sync of ${en(r.config.queueUsers)} users from relay A to relay B (automatic mode, B's Bulk learned by save-and-test) through A's real queue consumer: wrangler.toml's queues bound in Miniflare, RELAY_LIMITS set to the profile, a fresh pair of runtimes per profile. Miniflare delivers one batch at a time, as production does for one target (a run lease lets one invocation at a time drain it). Per invocation: the limits meter's D1 queries and subrequests, wall time, and relay A's process CPU over the sync ÷ invocations (it includes workerd's HTTP and SQLite, and since the Worker CPU is measured in the same run, the CPU profiler's sampling through the seconds between invocations: not comparable with runs before 2026-12-07T22:00), of which SQLite: A's statements of the sync, logged and replayed in Node's SQLite as for the request kinds. Queue operations: 3 per message (write, read, delete; Cloudflare's Queues pricing page), against ${en(FREE_QUEUE_OPS_PER_DAY)} a day on the Free plan.`,
    '',
    '| profile | users on B | consumer invocations | messages | D1 queries / invocation | subrequests / invocation | wall ms / invocation p50 | CPU ms / invocation | of which SQLite (replayed) | wall time, s | queue operations | load |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...rows,
    '',
    ...workerCpuRows(r.queue),
    ...reconcileRows(r.queue),
  ];
}

/** Whether the least-squares line means anything: three item counts or more (runs before `each` was kept: as computed). */
const hasLine = (c: CpuAgainstModel) => !Number.isNaN(c.fit.perItemMs) && (c.each === undefined || new Set(c.each.map((i) => i.items)).size >= 3);
const spreadCells = (s: Spread) => `${f(s.mean)} | ${f(s.p50)} | ${f(s.p95)} | ${f(s.max)}`;
const againstCells = (c: CpuAgainstModel) =>
  `${spreadCells(c.measured)} | ${spreadCells(c.charged)} | ${c.overCharged} of ${c.invocations} (worst ${f(c.worstRatio)}×) | ${hasLine(c) ? `${f(c.fit.baseMs)} + ${f(c.fit.perItemMs, 3)} × items` : '— (too few item counts)'} | ${f(c.share * 100, 0)} % |`;
const AGAINST_HEAD = [
  '| profile | what | Worker CPU ms: mean | p50 | p95 | max | model charged ms: mean | p50 | p95 | max | measured over the charge | measured line (least squares) | recorded share |',
  '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
];

/** The Worker CPU of each consumer invocation and reconcile request against the cost model's charge. */
function workerCpuRows(queue: QueueSyncResult[]): string[] {
  const rows = queue.flatMap((q) => [
    ...(q.workerCpu ? [`| ${q.profile} | sync: consumer invocation (items: rows provisioned) | ${againstCells(q.workerCpu)}`] : []),
    ...(q.reconcile?.workerCpu ? [`| ${q.profile} | reconcile: "Reconcile now" request (items: users compared) | ${againstCells(q.reconcile.workerCpu)}`] : []),
  ]);
  if (rows.length === 0) return [];
  return [
    `**Worker CPU per invocation against the cost model** (worker/src/limits/cpu.ts: ${CPU_MS.base} ms an invocation, ${CPU_MS.outboundRow} a row provisioned, ${CPU_MS.reconciledUser} a user compared): each consumer invocation's own CPU measured in relay A's isolate (bench/lib/isolate-cpu.ts; its samples from the invocation's start to its last I/O plus 5 ms), and what the model charged it (its base and what its budgets charged, the limits meter's \`cpuCharged\`; for a reconcile request the users it compared). ${queue.flatMap((q) => (q.calibration ? [`${q.profile}: ${calibrationLine(q.calibration)}`] : [])).join('; ')}.`,
    '',
    ...AGAINST_HEAD,
    ...rows,
    '',
  ];
}

/** The reconcile after each sync: what limits/cpu.ts's `reconciledUser` rests on. */
function reconcileRows(queue: QueueSyncResult[]): string[] {
  const measured = queue.filter((q) => q.reconcile);
  if (measured.length === 0) return [];
  return [
    "Then \"Reconcile now\" on the synced target until its run is done (nothing drifted, so every remote user is read and compared and nothing repaired): relay A's process CPU ÷ users compared (with the profiler and the standard's requests between the POSTs; the Worker's own CPU per request is in the table above, against the cost model's `reconciledUser`).",
    '',
    '| profile | users compared | invocations | CPU ms / user | of which SQLite | wall time, s |',
    '| --- | --- | --- | --- | --- | --- |',
    ...measured.map((q) => {
      const c = q.reconcile!;
      return `| ${q.profile} | ${en(c.users)} | ${c.invocations} | ${f(c.cpuMsPerUser, 3)} | ${f(c.sqliteMsPerUser, 3)} | ${f(c.wallS, 1)} |`;
    }),
    '',
  ];
}

function modelSection(r: LimitsRun): string[] {
  if (!r.model) return [];
  const row = (m: ModelRow, label: string, c: ModelRow['sync']) =>
    `| ${m.name} | ${label} | ${en(c.perInvocation)} (${c.boundBy}) | ${c.invocations} | ${c.cronMinutes} |`;
  const imports = r.model.map(
    (m) =>
      `${m.name}: ${en(m.importByQueue.invocations)} consumer invocations of ${en(m.importByQueue.perInvocation)} accounts (bound by ${m.importByQueue.boundBy}), ${en(m.importByQueue.invocations * 3)} operations`,
  );
  return [
    '## Production-time model: the cron and the queue',
    '',
    `What a local run cannot show: the cron's cadence (one invocation a minute) and a Drupal import's pages (bench/lib/limits-model.ts: per invocation the least of what its D1 queries, subrequests, CPU and wall time allow, with the engine's own costs and its CPU cost model, worker/src/limits/cpu.ts: ${CPU_MS.base} ms an invocation, ${CPU_MS.outboundRow} ms a row sent, ${CPU_MS.importedUser} ms an account imported, so pages of 11 on Free; target 1,333 users/s with Bulk, 280/s per request; Drupal 26 pages/s).`,
    '',
    '| plan | work | per invocation (bound by) | invocations | minutes, cron every minute |',
    '| --- | --- | --- | --- | --- |',
    ...r.model.flatMap((m) => [
      row(m, 'initial sync, 10,000 users, target with Bulk (100)', m.sync),
      row(m, 'initial sync, 10,000 users, one request per user', m.perOp),
      row(m, 'first import, 20,000 Drupal users', m.import),
    ]),
    '',
    ...queueModel(r.model),
    `Queue operations of a first import of 20,000 Drupal users through the work queue (modelled: one message per consumer invocation, 3 operations each): ${imports.join('; ')}. With automatic targets, a run that changed the directory wakes each target once, at its end (the cron's safety net wakes targets with rows waiting once a minute while it runs). Free allows ${en(FREE_QUEUE_OPS_PER_DAY)} operations a day: a message names a target or a source, never a user, so the measured initial sync takes a handful, while an import held to 10 ms of CPU per invocation takes about half the day's allowance.`,
    '',
  ];
}

function queueModel(model: ModelRow[]): string[] {
  const row = (m: ModelRow) => {
    const q = m.syncQueue;
    return `| ${m.name} | ${en(m.sync.perInvocation)} (${m.sync.boundBy}) | ${en(q.invocations)} | ${en(q.operations)} (${f((100 * q.operations) / FREE_QUEUE_OPS_PER_DAY, 1)} % of Free's day) | ${f(q.invocationS, 2)} | ${f(q.minutes, 1)} |`;
  };
  return [
    `The initial sync of 10,000 users to a target with Bulk through the work queue (model): each invocation sends what it provisions and sends its continuation at once; the consumer runs up to ${QUEUE.maxConcurrency} invocations side by side, but a target's run lease lets one at a time drain it, so one target's sync is a chain of invocations ${QUEUE.hopS} s of batch timeout apart (max_batch_timeout). An invocation's wall time is its D1 calls in sequence at ${D1_TRIP_S * 1000} ms each (an assumption: the edge to D1's primary) and its users at the target's rate. Ten targets syncing at once take the same time each.`,
    '',
    '| plan | users per invocation (bound by) | invocations | queue operations | s per invocation | minutes |',
    '| --- | --- | --- | --- | --- | --- |',
    ...model.map(row),
    '',
  ];
}

export function report(r: LimitsRun): string {
  return [
    `# Limits benchmark — ${r.startedAt}`,
    '',
    `Commit \`${r.machine.commit}\`${r.machine.dirty ? ' (uncommitted changes)' : ''}; ${r.machine.cpus} CPUs (${r.machine.cpuModel}).`,
    ...(r.merged && r.merged.phases.length > 0
      ? ['', `The ${r.merged.phases.join(' and ')} figures are from the run of ${r.merged.from} (commit \`${r.merged.commit}\`), merged into this report.`]
      : []),
    '',
    ...(r.directory ? ['## Request kinds', '', ...directorySection(r)] : []),
    ...(r.sizing
      ? [
          '## D1 sizing',
          '',
          `${en(r.config.sizeUsers)} users with 10 emails each, each in 5 groups, written through SCIM (rows, value rows, memberships, change feed, indexes): **${en(Math.round(r.sizing.bytesPerUser))} bytes per user**. At the relay's default threshold (95 % of the plan's database, then IdP writes get SCIM 507): Free (500 MB) about **${en(r.sizing.largest.free)} users**, Paid (10 GB) about **${en(r.sizing.largest.paid)} users**.`,
          '',
        ]
      : []),
    ...queueSection(r),
    ...modelSection(r),
  ].join('\n');
}
