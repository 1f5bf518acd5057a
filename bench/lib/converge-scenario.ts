/**
 * One bench:converge run: relay A (workerd, D1 queries counted) provisions N users and G groups
 * into relay B in scheduled mode, then: an incremental pass with nothing changed, a reconcile of
 * the unchanged target, drift made directly on B (1 % of the users: deleted, edited, deactivated
 * in turn; 1 % of the groups: a member removed), a reconcile that repairs it, and a reconcile of
 * the repaired target. Each phase: wall time, requests A sent B, D1 statements and round trips.
 */
import type { Capabilities, Target } from '../../shared/src/targets.ts';
import { createClient, type Client } from './client.ts';
import { seedGroups } from './converge-seed.ts';
import { measure, type Measurement } from './load.ts';
import { baselineOperation, deck } from './operations.ts';
import { auditMark, trafficSince, type RequestKind } from './provision-audit.ts';
import { CRON, drainOutbox, SCHEDULED_ROUTE } from './provision-drain.ts';
import { addRelayBTarget, type Mode } from './provision-scenario.ts';
import type { Runtime } from './runtime.ts';
import { seedUserDirectory, type SeededUser } from './seed.ts';

export interface ConvergeConfig {
  users: number;
  groups: number;
  minMembers: number;
  maxMembers: number;
  /** share of users (and of groups) drifted on B */
  driftShare: number;
  concurrency: number;
  rateLimitPerSecond: number;
  seedConcurrency: number;
  maxTicks: number;
  pingRequests: number;
}

export interface ReconcileFigures {
  found: Record<string, number>;
  fixed: Record<string, number>;
  unrepaired: Record<string, number>;
  /** requests the run's reads sent (its own count), and how many invocations (POSTs) it took */
  reads: number;
  invocations: number;
  listed: { users: number; groups: number; unlinked: number };
  phase: string;
  error: string | null;
}

export interface ConvergePhase {
  name: string;
  ms: number;
  /** requests A sent B (A's audit log), Bulk operations inside them */
  requests: number;
  bulkOperations: number;
  failedRequests: number;
  /** count and p50/p95 duration of each request shape, as A timed them */
  kinds: RequestKind[];
  /** why requests failed (the engine retries transient ones), with counts */
  failures: { error: string; count: number }[];
  d1: { statements: number; roundTrips: number };
  ticks?: number;
  reconcile?: ReconcileFigures;
}

export interface ConvergeResult {
  mode: Mode;
  users: number;
  groups: number;
  memberships: number;
  capabilities: Capabilities | null;
  seedMs: { users: number; groups: number };
  ping: Measurement;
  phases: ConvergePhase[];
  /** the drift made on B, per kind as reconcile should count it */
  expected: Record<string, number>;
  /** a second target scoped to one group (issue #13): its initial sync, and the users in its scope */
  scoped?: { inScope: number; phase: ConvergePhase };
  errors: string[];
}

interface Relays {
  a: Runtime;
  b: Runtime;
}

const PATCH_URN = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
/** how long one reconcile phase may take before the bench reports it as it stands */
const RECONCILE_LIMIT_MS = 15 * 60_000;

/** The D1 counts relay A's worker made since the last read (bench/worker/d1-counter-entry.ts). */
async function d1Counts(a: Runtime): Promise<{ statements: number; roundTrips: number }> {
  const res = await fetch(`${a.url}/__bench/d1`);
  if (res.status !== 200) throw new Error(`/__bench/d1 answered ${res.status}: is relay A bundled from bench/worker/d1-counter-entry.ts?`);
  return (await res.json()) as { statements: number; roundTrips: number };
}

async function createTarget(a: Client, b: Runtime, mode: Mode, cfg: ConvergeConfig, db: Runtime['db'], extra: Record<string, unknown> = {}): Promise<Target> {
  // The bench measures convergence: no mass-creation guard waiting for an approval (issue #13).
  const target = await addRelayBTarget(a, b, {
    pushGroups: true,
    ...extra,
    modes: { scheduled: { enabled: true, intervalMinutes: 1, operations: { create: true, update: true, deactivate: true, delete: false } } },
    rateLimitPerSecond: cfg.rateLimitPerSecond,
    concurrency: cfg.concurrency,
  });
  if (mode === 'per-operation')
    await db.prepare("UPDATE targets SET capabilities = json_set(capabilities, '$.bulk', json('false')) WHERE id = ?").bind(target.id).run();
  return a.json<Target>({ method: 'GET', path: `/api/v1/targets/${target.id}`, expect: [200] });
}

/** Times `work` and reads A's audit and D1 counts around it. */
async function phase(r: Relays, targetId: string, name: string, work: () => Promise<Partial<ConvergePhase>>): Promise<ConvergePhase> {
  const mark = await auditMark(r.a.db);
  await d1Counts(r.a);
  const t0 = performance.now();
  const extra = await work();
  const ms = performance.now() - t0;
  const d1 = await d1Counts(r.a);
  const traffic = await trafficSince(r.a.db, targetId, mark);
  const { results: failures } = await r.a.db
    .prepare(
      "SELECT coalesce(error, outcome) AS error, count(*) AS count FROM audit_events WHERE target_id = ? AND id > ? AND method IS NOT NULL AND outcome <> 'ok' GROUP BY 1 ORDER BY 2 DESC",
    )
    .bind(targetId, mark)
    .all<{ error: string; count: number }>();
  return {
    name,
    ms,
    requests: traffic.requests,
    bulkOperations: traffic.bulkOperations,
    failedRequests: traffic.failedRequests,
    kinds: traffic.kinds,
    failures,
    d1,
    ...extra,
  };
}

async function drain(r: Relays, targetId: string, cfg: ConvergeConfig, log: (s: string) => void, label: string): Promise<Partial<ConvergePhase>> {
  const result = await drainOutbox({
    db: r.a.db,
    relayUrl: r.a.url,
    targetId,
    maxTicks: cfg.maxTicks,
    maxBackoffWaitS: 120,
    onTick: (t, i) => log(`    ${label} tick ${i + 1}: ${(t.ms / 1000).toFixed(2)} s, ${JSON.stringify(t.counts)}, left ${t.left}`),
  });
  if (result.stuck) throw new Error(`${label}: ${result.stuck}`);
  return { ticks: result.ticks.length };
}

interface ReconcileStatus {
  state: {
    phase: string;
    found: Record<string, number>;
    fixed: Record<string, number>;
    unrepaired: Record<string, number>;
    error: string | null;
    counts: { requests: number; users: number; groups: number; unlinked: number; invocations: number };
  };
}

/**
 * POSTs /reconcile until the run is over: each POST works within one invocation's budget. Each
 * on a connection of its own; one whose connection workerd dropped is sent again — a POST that
 * continues the run in progress is safe to repeat.
 */
async function reconcile(a: Client, targetId: string, log: (s: string) => void): Promise<Partial<ConvergePhase>> {
  let invocations = 0;
  let worked = 0;
  const until = Date.now() + RECONCILE_LIMIT_MS;
  for (;;) {
    invocations++;
    const spec = { method: 'POST' as const, path: `/api/v1/targets/${targetId}/reconcile`, body: {}, expect: [200] };
    let out = await a.send(spec);
    for (let retry = 0; out.status === 0 && retry < 2; retry++) {
      log(`    reconcile ${invocations}: ${out.failure}; sending again`);
      out = await a.send(spec);
    }
    if (out.failure) throw new Error(`POST /reconcile: ${out.failure}`);
    const s = (JSON.parse(out.text) as ReconcileStatus).state;
    log(`    reconcile ${invocations}: ${s.phase}, found ${JSON.stringify(s.found)}, ${s.counts.requests} reads`);
    const over = s.phase === 'done' || s.phase === 'failed' || Date.now() > until;
    // Repairs wait for queued rows (a lease an interrupted invocation left runs out after 5 min),
    // and a run another invocation holds is not worked on: poll those instead of spinning.
    if (!over && (s.phase === 'repair' || s.counts.invocations === worked)) await new Promise((r) => setTimeout(r, 2000));
    worked = s.counts.invocations;
    if (over) {
      return {
        reconcile: {
          found: s.found,
          fixed: s.fixed,
          unrepaired: s.unrepaired,
          reads: s.counts.requests,
          invocations,
          listed: { users: s.counts.users, groups: s.counts.groups, unlinked: s.counts.unlinked },
          phase: s.phase,
          error: s.error,
        },
      };
    }
  }
}

async function remoteIds(db: Runtime['db'], targetId: string, type: 'User' | 'Group'): Promise<Map<string, string>> {
  const { results } = await db
    .prepare('SELECT resource_id AS id, remote_id AS remoteId FROM links WHERE target_id = ? AND resource_type = ? AND remote_id IS NOT NULL')
    .bind(targetId, type)
    .all<{ id: string; remoteId: string }>();
  return new Map(results.map((x) => [x.id, x.remoteId]));
}

async function onB(b: Runtime, method: string, path: string, body?: unknown): Promise<void> {
  const res = await fetch(`${b.url}/scim/v2${path}`, {
    method,
    headers: { authorization: `Bearer ${b.token}`, 'content-type': 'application/scim+json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  await res.arrayBuffer();
  if (res.status >= 300) throw new Error(`${method} ${path} on B: ${res.status}`);
}

/**
 * Drift on B: 1 % of the users in turn deleted, edited (title), deactivated; 1 % of the groups
 * lose one member (not a drifted user). A deleted account takes its memberships with it, so every
 * group it was in drifts too: the expected `members` count is those groups and the edited ones.
 */
async function makeDrift(
  r: Relays,
  targetId: string,
  users: readonly SeededUser[],
  groups: { id: string; members: string[] }[],
  share: number,
): Promise<Record<string, number>> {
  const [userRemote, groupRemote] = await Promise.all([remoteIds(r.a.db, targetId, 'User'), remoteIds(r.a.db, targetId, 'Group')]);
  const pick = deck(users, 99);
  const chosen = new Set<SeededUser>();
  while (chosen.size < Math.max(3, Math.round(users.length * share))) chosen.add(pick());
  const kinds = ['deleted', 'attributes', 'deactivated'] as const;
  const expected: Record<string, number> = {};
  const deleted = new Set<string>();
  let i = 0;
  for (const u of chosen) {
    const kind = kinds[i++ % kinds.length]!;
    const remote = userRemote.get(u.id)!;
    if (kind === 'deleted') {
      await onB(r.b, 'DELETE', `/Users/${remote}`);
      deleted.add(u.id);
    } else if (kind === 'attributes') {
      await onB(r.b, 'PATCH', `/Users/${remote}`, { schemas: [PATCH_URN], Operations: [{ op: 'replace', path: 'title', value: 'Edited on B' }] });
    } else {
      await onB(r.b, 'PATCH', `/Users/${remote}`, { schemas: [PATCH_URN], Operations: [{ op: 'replace', path: 'active', value: false }] });
    }
    expected[kind] = (expected[kind] ?? 0) + 1;
  }
  const drifted = new Set([...chosen].map((u) => u.id));
  const membersDrift = new Set(groups.filter((g) => g.members.some((m) => deleted.has(m))).map((g) => g.id));
  const pickGroup = deck(groups, 7);
  const edited = new Set<string>();
  while (edited.size < Math.max(1, Math.round(groups.length * share))) {
    const g = pickGroup();
    const member = g.members.find((m) => !drifted.has(m));
    if (!member || edited.has(g.id)) continue;
    await onB(r.b, 'PATCH', `/Groups/${groupRemote.get(g.id)!}`, {
      schemas: [PATCH_URN],
      Operations: [{ op: 'remove', path: `members[value eq "${userRemote.get(member)!}"]` }],
    });
    edited.add(g.id);
    membersDrift.add(g.id);
  }
  expected.members = membersDrift.size;
  return expected;
}

export async function runConverge(r: Relays, mode: Mode, cfg: ConvergeConfig, log: (s: string) => void): Promise<ConvergeResult> {
  const a = createClient(r.a.url, r.a.token);
  const b = createClient(r.b.url, r.b.token);
  const errors: string[] = [];
  const target = await createTarget(a, r.b, mode, cfg, r.a.db);
  log(`  target ${target.id}: capabilities ${JSON.stringify(target.capabilities)}`);
  const seeded = await seedUserDirectory(createClient(r.a.url, r.a.token, { keepAlive: false }), cfg.users, cfg.seedConcurrency, log);
  log(`  seeded ${cfg.users} users into A in ${(seeded.usersMs / 1000).toFixed(1)} s`);
  const ping = await measure(b, baselineOperation().next, { concurrency: 1, warmupMs: 500, requests: cfg.pingRequests, maxMs: 30_000 });
  log(`  baseline: B ping p50 ${ping.p50.toFixed(2)} ms`);

  const phases: ConvergePhase[] = [];
  const add = (p: ConvergePhase) => {
    phases.push(p);
    log(`  ${p.name}: ${(p.ms / 1000).toFixed(1)} s, ${p.requests} requests, D1 ${p.d1.statements} statements / ${p.d1.roundTrips} round trips`);
    // A failed request the engine retried is reported; the phase is an error only if it did not converge (checked below).
    for (const f of p.failures) log(`    ${f.count} failed: ${f.error}`);
  };
  add(await phase(r, target.id, 'initial sync: users', () => drain(r, target.id, cfg, log, 'users')));
  // Groups after their members exist on B (memberships of users created in the same run are issue #9 item 5).
  const g = await seedGroups(
    createClient(r.a.url, r.a.token, { keepAlive: false }),
    seeded.users,
    cfg.groups,
    cfg.minMembers,
    cfg.maxMembers,
    cfg.seedConcurrency,
  );
  log(`  seeded ${cfg.groups} groups (${g.memberships.toLocaleString('en')} memberships) into A in ${(g.ms / 1000).toFixed(1)} s`);
  add(await phase(r, target.id, 'initial sync: groups', () => drain(r, target.id, cfg, log, 'groups')));

  add(
    await phase(r, target.id, 'incremental, no changes', async () => {
      await r.a.db.prepare('UPDATE targets SET last_scheduled_at = NULL WHERE id = ?').bind(target.id).run();
      const res = await fetch(`${r.a.url}${SCHEDULED_ROUTE}?cron=${encodeURIComponent(CRON)}`);
      await res.text();
      return { ticks: 1 };
    }),
  );
  const fresh = createClient(r.a.url, r.a.token, { keepAlive: false });
  add(await phase(r, target.id, 'reconcile, unchanged', () => reconcile(fresh, target.id, log)));
  const expected = await makeDrift(r, target.id, seeded.users, g.groups, cfg.driftShare);
  log(`  drift made on B: ${JSON.stringify(expected)}`);
  add(await phase(r, target.id, 'reconcile, 1 % drift', () => reconcile(fresh, target.id, log)));
  add(await phase(r, target.id, 'reconcile, after repair', () => reconcile(fresh, target.id, log)));

  // Issue #13: a second target scoped to the largest group; its initial sync computes desired state
  // for the group's members (nested) only. Its D1 cost per user in scope is set against the first's.
  const largest = [...g.groups].sort((x, y) => y.members.length - x.members.length)[0]!;
  const scopedTarget = await createTarget(a, r.b, mode, cfg, r.a.db, {
    name: 'relay B, one group',
    pushGroups: false,
    scope: { kind: 'groups', groupIds: [largest.id], nested: true },
  });
  const scopedPhase = await phase(r, scopedTarget.id, 'scoped target: initial sync of one group', () => drain(r, scopedTarget.id, cfg, log, 'scoped'));
  log(
    `  ${scopedPhase.name} (${largest.members.length} users in scope): ${(scopedPhase.ms / 1000).toFixed(1)} s, ${scopedPhase.requests} requests, D1 ${scopedPhase.d1.statements} statements / ${scopedPhase.d1.roundTrips} round trips`,
  );

  const [incremental, unchanged, drifted, after] = phases.slice(2) as [ConvergePhase, ConvergePhase, ConvergePhase, ConvergePhase];
  if (incremental.requests !== 0) errors.push(`the incremental pass with no changes sent ${incremental.requests} requests`);
  if (Object.keys(unchanged.reconcile!.found).length > 0) errors.push(`the unchanged target showed drift: ${JSON.stringify(unchanged.reconcile!.found)}`);
  if (unchanged.requests > Math.ceil(cfg.users / 100)) errors.push(`the unchanged reconcile sent ${unchanged.requests} requests for ${cfg.users} users`);
  if (JSON.stringify(sorted(drifted.reconcile!.found)) !== JSON.stringify(sorted(expected)))
    errors.push(`found ${JSON.stringify(drifted.reconcile!.found)}, made ${JSON.stringify(expected)}`);
  if (JSON.stringify(sorted(drifted.reconcile!.fixed)) !== JSON.stringify(sorted(expected)))
    errors.push(`fixed ${JSON.stringify(drifted.reconcile!.fixed)}, made ${JSON.stringify(expected)}`);
  if (Object.keys(after.reconcile!.found).length > 0) errors.push(`after the repair a reconcile still found ${JSON.stringify(after.reconcile!.found)}`);
  return {
    mode,
    users: cfg.users,
    groups: cfg.groups,
    memberships: g.memberships,
    capabilities: target.capabilities,
    seedMs: { users: seeded.usersMs, groups: g.ms },
    ping,
    phases,
    expected,
    scoped: { inScope: largest.members.length, phase: scopedPhase },
    errors,
  };
}

const sorted = (o: Record<string, number>) => Object.fromEntries(Object.entries(o).sort(([x], [y]) => (x < y ? -1 : 1)));
