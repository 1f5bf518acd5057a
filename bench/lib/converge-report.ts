/** bench:converge's tables and goal lines (bench/README.md explains each figure). */
import type { MachineInfo } from './results.ts';
import type { ConvergeConfig, ConvergeResult } from './converge-scenario.ts';
import { INITIAL_SYNC_GOAL_S } from './provision-report.ts';

export interface BenchConvergeResult {
  startedAt: string;
  finishedAt: string;
  machine: MachineInfo;
  runtime: string;
  config: Omit<ConvergeConfig, 'users'> & { users: number[]; modes: string[] };
  runs: ConvergeResult[];
}

const f = (n: number, digits = 2) => (Number.isFinite(n) ? n.toFixed(digits) : '–');
const kinds = (o: Record<string, number> | undefined) =>
  o && Object.keys(o).length
    ? Object.entries(o)
        .map(([k, n]) => `${k} ${n}`)
        .join(', ')
    : '0';

function runTable(run: ConvergeResult): string {
  const rows = run.phases.map((p) => {
    const r = p.reconcile;
    return `| ${p.name} | ${f(p.ms / 1000, 1)} | ${p.requests} | ${f(p.requests / run.users, 3)} | ${p.bulkOperations} | ${f(p.d1.statements / run.users)} | ${f(p.d1.roundTrips / run.users)} | ${r ? `${r.reads} reads, ${r.invocations} invocation(s); found: ${kinds(r.found)}; fixed: ${kinds(r.fixed)}` : p.ticks !== undefined ? `${p.ticks} cron tick(s)` : ''} |`;
  });
  return [
    `### ${run.mode}, ${run.users.toLocaleString('en')} users, ${run.groups} groups (${run.memberships.toLocaleString('en')} memberships)`,
    '',
    `Baseline (same run): B's \`GET /api/v1/ping\` p50 ${f(run.ping.p50)} ms, p95 ${f(run.ping.p95)} ms. Seeding A: users ${f(run.seedMs.users / 1000, 1)} s, groups ${f(run.seedMs.groups / 1000, 1)} s. Drift made on B: ${kinds(run.expected)}.`,
    '',
    '| phase | wall s | requests | requests / user | Bulk ops | D1 statements / user | D1 round trips / user | detail |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |',
    ...rows,
    '',
    ...(run.phases.some((p) => p.failures.length)
      ? [
          'Failed requests (transient ones are retried by the engine; the goals check the outcome):',
          '',
          ...run.phases.flatMap((p) => p.failures.map((x) => `- ${p.name}: ${x.count} × ${x.error}`)),
          '',
        ]
      : []),
    'Reconcile requests by kind (as relay A timed them):',
    '',
    '| phase | request | count | p50 ms | p95 ms |',
    '| --- | --- | ---: | ---: | ---: |',
    ...run.phases.filter((p) => p.reconcile).flatMap((p) => p.kinds.map((k) => `| ${p.name} | ${k.kind} | ${k.count} | ${k.p50Ms} | ${k.p95Ms} |`)),
    '',
  ].join('\n');
}

/**
 * Issue #13: desired state for a group scope stays within the unscoped D1 budget per user — the
 * scoped target's initial sync per user in scope against the unscoped initial sync per user.
 */
function scopedLines(run: ConvergeResult, tag: string): string[] {
  const users = run.phases[0];
  if (!run.scoped || !users) return [];
  const { inScope, phase } = run.scoped;
  const per = (n: number, of: number) => n / Math.max(1, of);
  const scopedTrips = per(phase.d1.roundTrips, inScope);
  const unscopedTrips = per(users.d1.roundTrips, run.users);
  const scopedStatements = per(phase.d1.statements, inScope);
  const unscopedStatements = per(users.d1.statements, run.users);
  const ok = scopedTrips <= unscopedTrips && scopedStatements <= unscopedStatements;
  return [
    `${ok ? 'PASS' : 'FAIL'} ${tag}: group scope (${inScope} users in scope): D1 ${f(scopedStatements)} statements / ${f(scopedTrips)} round trips per user in scope, unscoped ${f(unscopedStatements)} / ${f(unscopedTrips)} (goal: within the unscoped budget)`,
  ];
}

export function goalLines(runs: ConvergeResult[]): string[] {
  return runs.flatMap((run) => {
    const [users, groups, incremental, unchanged] = run.phases;
    const usersS = (users?.ms ?? 0) / 1000;
    const initialS = usersS + (groups?.ms ?? 0) / 1000;
    const goal = INITIAL_SYNC_GOAL_S[run.mode];
    const tag = `${run.mode} ${run.users}`;
    // The issue's goal is for 10,000 users; at another size the time is reported, not judged.
    const verdict = run.users === 10_000 ? (usersS <= goal ? 'PASS' : 'FAIL') : 'INFO';
    return [
      `${verdict} ${tag}: initial sync of the users ${f(usersS, 1)} s (goal at 10,000 users: ${goal} s), with the groups ${f(initialS, 1)} s`,
      `${incremental?.requests === 0 ? 'PASS' : 'FAIL'} ${tag}: incremental pass with no changes sent ${incremental?.requests} requests (goal 0)`,
      `${(unchanged?.requests ?? Infinity) <= Math.ceil(run.users / 100) && Object.keys(unchanged?.reconcile?.found ?? {}).length === 0 ? 'PASS' : 'FAIL'} ${tag}: reconcile of the unchanged target: ${unchanged?.requests} requests for ${run.users} users, drift ${kinds(unchanged?.reconcile?.found)} (goal ≤ ${Math.ceil(run.users / 100)}, 0 drift)`,
      `${run.errors.length === 0 ? 'PASS' : 'FAIL'} ${tag}: 1 % drift found and fixed exactly, and a reconcile after the repair finds none`,
      ...scopedLines(run, tag),
    ];
  });
}

export function markdown(result: BenchConvergeResult): string {
  return [
    '# bench:converge',
    '',
    `${result.startedAt} → ${result.finishedAt}; ${result.machine.cpus} × ${result.machine.cpuModel}, Node ${result.machine.node}, commit ${result.machine.commit}${result.machine.dirty ? ' (dirty)' : ''}.`,
    `Runtime: ${result.runtime}. Relay A's worker is bundled from bench/worker/d1-counter-entry.ts (its env.DB counted).`,
    `Config: ${JSON.stringify(result.config)}.`,
    '',
    ...result.runs.map(runTable),
    '## Goals',
    '',
    ...goalLines(result.runs).map((l) => `- ${l}`),
    '',
    ...(result.runs.some((r) => r.errors.length)
      ? ['## Errors', '', ...result.runs.flatMap((r) => r.errors.map((e) => `- ${r.mode} ${r.users}: ${e}`)), '']
      : []),
  ].join('\n');
}
