/** Results as data, as a markdown report, and the goal checks from the issue. */
import type { Measurement } from './load.ts';

export interface Row {
  op: string;
  label: string;
  concurrency: number;
  result: Measurement;
  /** the baseline measured in the same runtime immediately before this row */
  baseline: Measurement;
  /** result.p50 / baseline.p50 */
  ratio: number;
  /** the machine's 1-minute load average after the row: other processes compete for the CPUs */
  loadAvg: number;
}

export interface PhaseResult {
  size: number;
  bigGroupSize: number;
  runtime: string;
  seed: {
    usersMs: number;
    groupsMs: number;
    usersPerSecond: number;
    bulk: { maxOperations: number; maxPayloadSize: number; opsPerRequest: number; concurrency: number };
  };
  prepared: Record<string, string>;
  /** workarounds the seeding had to take (a relay bug met on the way) */
  seedNotes: string[];
  /** GETs re-sent after workerd dropped a kept-alive connection, seeding and measuring */
  networkRetries: number;
  rows: Row[];
}

export interface BenchResult {
  startedAt: string;
  finishedAt: string;
  machine: { cpus: number; cpuModel: string; node: string; platform: string; commit: string; dirty: boolean };
  config: Record<string, unknown>;
  operations: Record<string, string>;
  phases: PhaseResult[];
  errors: number;
}

/** Filtered lookups must stay within this multiple of the baseline p50 at the largest size. */
export const FILTER_GOAL_RATIO = 2;
/** An operation "grows" when its baseline-relative p50 rises by more than this between sizes. */
export const GROWTH_TOLERANCE = 1.5;
const FILTER_OPS = ['filterUserName', 'filterWorkEmail', 'filterFamilySwSorted'];
/** Operations whose cost must grow with the directory (OFFSET walks the skipped rows). */
const EXPECTED_TO_GROW = ['deepIndex'];

const ms = (x: number) => (Number.isFinite(x) ? (x < 10 ? x.toFixed(2) : x.toFixed(1)) : '–');
const times = (x: number) => (Number.isFinite(x) ? `${x.toFixed(2)}×` : '–');
const k = (n: number) => (n >= 1000 && n % 1000 === 0 ? `${n / 1000}k` : n.toLocaleString('en'));

function table(head: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(head), line(head.map(() => '---')), ...rows.map(line)].join('\n');
}

function phaseTable(p: PhaseResult): string {
  return table(
    ['operation', 'c', 'p50 ms', 'p95 ms', 'req/s', 'baseline p50 ms', 'baseline req/s', 'p50 ÷ baseline', 'n', 'errors'],
    p.rows.map((r) => [
      r.label,
      String(r.concurrency),
      ms(r.result.p50),
      ms(r.result.p95),
      r.result.rps.toFixed(0),
      ms(r.baseline.p50),
      r.baseline.rps.toFixed(0),
      times(r.ratio),
      String(r.result.requests),
      r.result.errors + r.baseline.errors > 0 ? `**${r.result.errors}** (baseline ${r.baseline.errors})` : '0',
    ]),
  );
}

interface Growth {
  op: string;
  label: string;
  concurrency: number;
  small: Row;
  large: Row;
  /** large p50 ÷ small p50 */
  raw: number;
  /** large ratio-to-baseline ÷ small ratio-to-baseline: the same, with runtime drift removed */
  relative: number;
}

function growth(phases: PhaseResult[]): Growth[] {
  if (phases.length < 2) return [];
  const small = phases[0]!;
  const large = phases[phases.length - 1]!;
  return small.rows.flatMap((s) => {
    const l = large.rows.find((r) => r.op === s.op && r.concurrency === s.concurrency);
    return l
      ? [{ op: s.op, label: s.label, concurrency: s.concurrency, small: s, large: l, raw: l.result.p50 / s.result.p50, relative: l.ratio / s.ratio }]
      : [];
  });
}

function growthTable(phases: PhaseResult[]): string {
  const [small, large] = [phases[0]!, phases[phases.length - 1]!];
  return table(
    [
      'operation',
      'c',
      `p50 @${k(small.size)}`,
      `p50 @${k(large.size)}`,
      `req/s @${k(small.size)}`,
      `req/s @${k(large.size)}`,
      `÷ baseline @${k(small.size)}`,
      `÷ baseline @${k(large.size)}`,
      'growth (p50)',
      'growth (÷ baseline)',
    ],
    growth(phases).map((g) => [
      g.label,
      String(g.concurrency),
      ms(g.small.result.p50),
      ms(g.large.result.p50),
      g.small.result.rps.toFixed(0),
      g.large.result.rps.toFixed(0),
      times(g.small.ratio),
      times(g.large.ratio),
      times(g.raw),
      g.relative > GROWTH_TOLERANCE ? `**${times(g.relative)}**` : times(g.relative),
    ]),
  );
}

/** The issue's goals, checked against this run. */
export function goalLines(result: BenchResult): string[] {
  const out: string[] = [];
  const largest = result.phases[result.phases.length - 1];
  if (!largest) return out;
  for (const r of largest.rows.filter((r) => FILTER_OPS.includes(r.op))) {
    const ok = r.ratio <= FILTER_GOAL_RATIO;
    out.push(`${ok ? 'PASS' : 'FAIL'}: ${r.label} at ${k(largest.size)}, c=${r.concurrency}: p50 ${times(r.ratio)} baseline (goal ≤ ${FILTER_GOAL_RATIO}×)`);
  }
  for (const g of growth(result.phases)) {
    if (g.relative <= GROWTH_TOLERANCE) continue;
    const expected = EXPECTED_TO_GROW.includes(g.op);
    out.push(
      `${expected ? 'EXPECTED' : 'GROWS'}: ${g.label}, c=${g.concurrency}: ${times(g.relative)} relative to baseline from ${k(result.phases[0]!.size)} to ${k(largest.size)} users (p50 ${ms(g.small.result.p50)} → ${ms(g.large.result.p50)} ms)`,
    );
  }
  if (result.phases.length >= 2 && !out.some((l) => l.startsWith('GROWS')))
    out.push(`PASS: no operation other than ${EXPECTED_TO_GROW.join(', ')} grows by more than ${GROWTH_TOLERANCE}× (relative to baseline)`);
  return out;
}

export function errorLines(result: BenchResult): string[] {
  return result.phases.flatMap((p) =>
    p.rows.flatMap((r) =>
      [r.result, r.baseline]
        .filter((m) => m.errors > 0)
        .map(
          (m) =>
            `${k(p.size)} ${m === r.baseline ? `baseline before ${r.label}` : r.label} c=${r.concurrency}: ${m.errors} of ${m.requests} failed (statuses ${JSON.stringify(m.statuses)}); e.g. ${m.errorSamples[0] ?? ''}`,
        ),
    ),
  );
}

function loadRange(p: PhaseResult): string {
  const loads = p.rows.map((r) => r.loadAvg).filter((x) => Number.isFinite(x));
  return loads.length === 0 ? 'not recorded' : `${Math.min(...loads).toFixed(1)}–${Math.max(...loads).toFixed(1)}`;
}

export function markdown(result: BenchResult): string {
  const m = result.machine;
  const errors = errorLines(result);
  const parts = [
    `# SCIM benchmark — ${result.startedAt}`,
    '',
    errors.length > 0 ? `> **⚠ ${result.errors} REQUESTS FAILED — the figures below include failed requests; see "Errors".**\n` : '',
    `- Commit \`${m.commit}\`${m.dirty ? ' (working tree has uncommitted changes)' : ''}; Node ${m.node} (${m.platform}); ${m.cpus} CPUs (${m.cpuModel}); client and runtime share the machine.`,
    `- Runtime: ${result.phases[0]?.runtime ?? '–'}; a fresh runtime and a fresh D1 per phase.`,
    `- Load: ${JSON.stringify(result.config)}.`,
    '- Latency is per request (send to last body byte) over keep-alive HTTP; req/s is completions over the measured window; ',
    '  "baseline" is `GET /api/v1/ping` (token check, cached per isolate for 30 s; no directory access) measured at the same concurrency immediately before each row.',
    '',
  ];
  for (const p of result.phases) {
    parts.push(
      `## ${p.size.toLocaleString('en')} users`,
      '',
      `Seeded through the relay's API: users by /Bulk (${p.seed.bulk.opsPerRequest} operations per request, ${p.seed.bulk.concurrency} concurrent; bulk.maxOperations ${p.seed.bulk.maxOperations}, maxPayloadSize ${p.seed.bulk.maxPayloadSize}) in ${(p.seed.usersMs / 1000).toFixed(1)} s (${p.seed.usersPerSecond.toFixed(0)} users/s); 5 groups of 100 and a big group of ${p.bigGroupSize.toLocaleString('en')} members${p.bigGroupSize === p.size ? ' (every user)' : ''} built by PATCH add of 1,000 members at a time, in ${(p.seed.groupsMs / 1000).toFixed(1)} s.`,
      `GETs re-sent after a dropped keep-alive connection (seeding and measuring): ${p.networkRetries}. 1-minute load average while measuring: ${loadRange(p)} (on ${m.cpus} CPUs).`,
      ...p.seedNotes.map((n) => `\n> **⚠ Seeding workaround** — ${n}\n`),
      ...Object.entries(p.prepared).map(([op, note]) => `- ${op}: ${note}`),
      '',
      phaseTable(p),
      '',
    );
  }
  if (result.phases.length >= 2) parts.push('## Growth with directory size', '', growthTable(result.phases), '');
  parts.push('## Goals', '', ...goalLines(result).map((l) => `- ${l}`), '');
  if (errors.length > 0) parts.push('## Errors', '', ...errors.map((l) => `- ${l}`), '');
  parts.push('## Operations', '', ...Object.entries(result.operations).map(([key, d]) => `- \`${key}\`: ${d}`), '');
  return parts.join('\n');
}
