/**
 * Convergence as a property (issue #9, "How it is checked"): from a seeded random interleaving
 * of directory changes on relay A (create, update, deactivate, delete users; add and remove
 * group members), pauses and resumes, edits made directly on relay B (delete, edit, deactivate
 * accounts; remove members), failures of relay B (a real proxy in front of it answers 500, 429,
 * resets the connection, or lets the write land and loses the answer) and dispatcher ticks, the
 * target always ends — after a reconcile and enough ticks — holding A's desired state, and relay B
 * never created one account twice (counted from what relay B itself answered).
 *
 * A failing seed is printed with its step trace; `PROPERTY_SEED=n npx vitest run --project
 * worker test/e2e/converge-property.test.ts` replays it alone.
 */
import { env } from 'cloudflare:test';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { parseLimits } from '../../worker/src/limits/profile';
import { createBudget, dispatch } from '../../worker/src/provisioning/dispatcher';
import { api } from '../helpers/api';
import { eventually } from '../helpers/eventually';
import { ops } from '../helpers/operations';
import { createPrng, type Prng } from '../helpers/prng';
import { GROUP_URN, PATCH_URN, USER_URN, scim } from '../helpers/scim';
import { relayB, relayBProxy, scimB, type ProxyFault } from '../support/e2e';
import { onB } from '../support/on-relay-b';

const replay = inject('propertySeed');
// Five seeds under Paid; under Free (the worker-free project) two of them, each about a minute
// of the suite's time: seed 41 is the one that found a reconcile spending past Free's 50.
const ALL_SEEDS = parseLimits(env.RELAY_LIMITS).name === 'free' ? [23, 41] : [11, 23, 37, 41, 53];
const SEEDS = replay === null ? ALL_SEEDS : [Number(replay)];
const STEPS = 40;

interface ModelUser {
  id: string;
  userName: string;
  title: string;
  displayName: string;
  active: boolean;
  deleted: boolean;
}
interface ModelGroup {
  id: string;
  displayName: string;
  members: Set<string>;
}

afterEach(async () => {
  const { results } = await env.DB.prepare('SELECT id FROM targets').all<{ id: string }>();
  for (const t of results) expect((await api('DELETE', `/targets/${t.id}`)).status).toBe(204);
});

const patch = (operations: unknown[]) => ({ schemas: [PATCH_URN], Operations: operations });

/** The faults one step queues on the proxy: what relay B's network and runtime can do to a request. */
function faultSchedule(rng: Prng): ProxyFault[] {
  const kinds: Omit<ProxyFault, 'match' | 'times'>[] = [
    { respond: { status: 500, body: { detail: 'injected' } } },
    { respond: { status: 503, headers: { 'retry-after': '1' }, body: { detail: 'injected' } } },
    { respond: { status: 429, headers: { 'retry-after': '2' }, body: { detail: 'injected' } } },
    { reset: true },
    { delayMs: 300 },
    // The write lands on relay B, the relay never hears of it.
    { forwardFirst: true, respond: { status: 500, body: { detail: 'injected after the write' } } },
    { forwardFirst: true, reset: true },
  ];
  // Half of them hit whatever request comes next, half wait for a method.
  return Array.from({ length: 1 + rng.int(3) }, () => ({
    ...(rng.chance(0.5) ? { match: { method: rng.pick(['GET', 'POST', 'PATCH', 'PUT', 'DELETE']) } } : {}),
    times: 1 + rng.int(3),
    ...rng.pick(kinds),
  }));
}

async function runProperty(seed: number, trace: string[]): Promise<void> {
  const rng = createPrng(seed);
  const prefix = `p${seed}-${crypto.randomUUID().slice(0, 6)}`;
  const proxy = relayBProxy(prefix);
  const users: ModelUser[] = [];
  const groups: ModelGroup[] = [];
  const deletedOnB = new Map<string, number>();
  let paused = false;
  let clock = Date.now();
  const log = (s: string) => trace.push(s);

  const createUser = async () => {
    const u = { userName: `${prefix}-u${users.length}@prop.test`, title: `t${rng.int(100)}`, displayName: `D ${rng.int(100)}` };
    const res = await scim('POST', '/Users', { schemas: [USER_URN], ...u });
    expect(res.status, res.text).toBe(201);
    users.push({ id: res.body.id, ...u, active: true, deleted: false });
    log(`create ${u.userName}`);
  };
  for (let i = 0; i < 3; i++) await createUser();
  for (let i = 0; i < 2; i++) {
    const displayName = `${prefix}-g${i}`;
    const res = await scim('POST', '/Groups', { schemas: [GROUP_URN], displayName, members: [{ value: users[i]!.id }] });
    expect(res.status, res.text).toBe(201);
    groups.push({ id: res.body.id, displayName, members: new Set([users[i]!.id]) });
  }
  const created = await api('POST', '/targets', {
    name: `property ${prefix}`,
    baseUrl: proxy.scimUrl,
    token: relayB.token,
    // Odd seeds also run automatically after each change, racing the ticks for the same rows.
    modes: {
      scheduled: { enabled: true, intervalMinutes: 1, operations: ops({ delete: true }) },
      automatic: { enabled: seed % 2 === 1, operations: ops({ delete: true }) },
    },
    pushGroups: true,
    deletionThreshold: 1000,
  });
  expect(created.status, created.text).toBe(201);
  const targetId: string = created.body.id;

  const alive = () => users.filter((u) => !u.deleted);
  const leased = async () =>
    (await env.DB.prepare("SELECT count(*) AS n FROM outbox WHERE target_id = ? AND state = 'leased'").bind(targetId).first<{ n: number }>())!.n;
  const outstanding = async () =>
    (await env.DB.prepare("SELECT count(*) AS n FROM outbox WHERE target_id = ? AND state IN ('pending', 'leased', 'failed', 'held')")
      .bind(targetId)
      .first<{ n: number }>())!.n;
  /** One dispatcher tick at the virtual clock, once no other run (a resume's) holds a lease. */
  const tick = async (advanceMs: number) => {
    await eventually(leased, (n) => n === 0, 15_000);
    clock = Math.max(clock, Date.now()) + advanceMs;
    const at = clock;
    await dispatch(env, { mode: 'scheduled', force: true, targetIds: [targetId], budget: createBudget(env, 'http'), now: () => new Date(at) });
  };
  const remote = async (u: ModelUser) => ((await onB(u.userName)) as { id: string; active: boolean } | undefined) ?? null;
  const remoteGroup = async (g: ModelGroup) =>
    (await scimB('GET', `/Groups?filter=${encodeURIComponent(`displayName eq "${g.displayName}"`)}`)).body.Resources[0] as
      | { id: string; members?: { value: string }[] }
      | undefined;

  const steps: Record<string, () => Promise<void>> = {
    create: async () => {
      if (users.length < 10) await createUser();
    },
    update: async () => {
      const u = rng.pick(users);
      if (u.deleted) return;
      const field = rng.pick(['title', 'displayName'] as const);
      u[field] = `${field === 'title' ? 't' : 'D '}${rng.int(1000)}`;
      expect((await scim('PATCH', `/Users/${u.id}`, patch([{ op: 'replace', path: field, value: u[field] }]))).status).toBe(200);
      log(`update ${u.userName} ${field}=${u[field]}`);
    },
    toggleActive: async () => {
      const u = rng.pick(users);
      if (u.deleted) return;
      u.active = !u.active;
      expect((await scim('PATCH', `/Users/${u.id}`, patch([{ op: 'replace', path: 'active', value: u.active }]))).status).toBe(200);
      log(`active ${u.userName} ${u.active}`);
    },
    delete: async () => {
      const u = rng.pick(users);
      if (u.deleted || !rng.chance(0.5)) return;
      u.deleted = true;
      for (const g of groups) g.members.delete(u.id);
      expect((await scim('DELETE', `/Users/${u.id}`)).status).toBe(204);
      log(`delete ${u.userName}`);
    },
    addMember: async () => {
      const u = rng.pick(users);
      const g = rng.pick(groups);
      if (u.deleted || g.members.has(u.id)) return;
      g.members.add(u.id);
      expect((await scim('PATCH', `/Groups/${g.id}`, patch([{ op: 'add', path: 'members', value: [{ value: u.id }] }]))).status).toBeLessThan(300);
      log(`add ${u.userName} to ${g.displayName}`);
    },
    removeMember: async () => {
      const g = rng.pick(groups);
      const id = [...g.members][rng.int(Math.max(1, g.members.size))];
      if (!id) return;
      g.members.delete(id);
      expect((await scim('PATCH', `/Groups/${g.id}`, patch([{ op: 'remove', path: `members[value eq "${id}"]` }]))).status).toBeLessThan(300);
      log(`remove ${id} from ${g.displayName}`);
    },
    pauseOrResume: async () => {
      const res = await api('POST', `/targets/${targetId}/${paused ? 'resume' : 'pause'}`);
      expect(res.status, res.text).toBe(200);
      paused = !paused;
      log(paused ? 'pause' : 'resume');
    },
    faults: async () => {
      const faults = faultSchedule(rng);
      await proxy.setFaults(faults);
      log(`faults ${JSON.stringify(faults)}`);
    },
    tick: async () => {
      await tick(2 * 60_000);
      log('tick');
    },
    reconcile: async () => {
      const res = await api('POST', `/targets/${targetId}/reconcile`, {});
      // A paused target is not reconciled (409); anything else is a bug.
      expect([200, 409], res.text).toContain(res.status);
      log(`reconcile ${res.status} ${res.body?.state?.phase ?? res.body?.detail ?? ''}`);
    },
    deleteOnB: async () => {
      const u = rng.pick(alive());
      const r = u && (await remote(u));
      if (!u || !r) return;
      expect((await scimB('DELETE', `/Users/${r.id}`)).status).toBe(204);
      deletedOnB.set(u.userName, (deletedOnB.get(u.userName) ?? 0) + 1);
      log(`B: delete ${u.userName}`);
    },
    editOnB: async () => {
      const u = rng.pick(alive());
      const r = u && (await remote(u));
      if (!u || !r) return;
      expect((await scimB('PATCH', `/Users/${r.id}`, patch([{ op: 'replace', path: 'title', value: 'edited on B' }]))).status).toBe(200);
      log(`B: edit ${u.userName}`);
    },
    deactivateOnB: async () => {
      const u = rng.pick(alive());
      const r = u && (await remote(u));
      if (!u || !r) return;
      expect((await scimB('PATCH', `/Users/${r.id}`, patch([{ op: 'replace', path: 'active', value: !r.active }]))).status).toBe(200);
      log(`B: active ${u.userName} ${!r.active}`);
    },
    removeMemberOnB: async () => {
      const g = await remoteGroup(rng.pick(groups));
      const member = g?.members?.[rng.int(Math.max(1, g.members.length))];
      if (!g || !member) return;
      expect((await scimB('PATCH', `/Groups/${g.id}`, patch([{ op: 'remove', path: `members[value eq "${member.value}"]` }]))).status).toBeLessThan(300);
      log(`B: remove ${member.value} from a group`);
    },
  };
  // Ticks and faults often, so that most changes meet a run and many runs meet a fault.
  const WEIGHTS: Record<string, number> = { tick: 6, faults: 3, create: 2, update: 2 };
  const names = Object.keys(steps).flatMap((name) => Array<string>(WEIGHTS[name] ?? 1).fill(name));
  for (let i = 0; i < STEPS; i++) await steps[rng.pick(names)]!();

  // Settle: the network heals, the target runs again, a reconcile reads what relay B holds.
  log('settle');
  await proxy.clearFaults();
  if (paused) expect((await api('POST', `/targets/${targetId}/resume`)).status).toBe(200);
  // A tick plans first (the change feed, a full pass), so the queue is only known empty after one.
  const settle = async () => {
    for (let i = 0; i < 20; i++) {
      await tick(60 * 60_000);
      if ((await outstanding()) === 0) return;
    }
  };
  await settle();
  // A reconcile that reads relay B after the last edit: a POST continues a run still in progress
  // (one started before the pause, say), so one that started earlier is followed by a fresh one.
  const settledAt = new Date().toISOString();
  for (let i = 0; i < 20; i++) {
    const res = await api('POST', `/targets/${targetId}/reconcile`, {});
    expect(res.status, res.text).toBe(200);
    expect(res.body.state.phase, JSON.stringify(res.body.state)).not.toBe('failed');
    if (res.body.state.phase === 'done' && res.body.state.startedAt >= settledAt) break;
  }
  await settle();
  const rows = await env.DB.prepare('SELECT resource_id AS id, state, last_error AS error FROM outbox WHERE target_id = ?').bind(targetId).all();
  expect(rows.results, 'nothing left in the outbox').toEqual([]);

  // Relay B holds A's desired state: every active user with its mapped attributes; an inactive one
  // deactivated there, or absent when it never was there (decide.ts: an inactive user is not
  // created); no deleted one; every membership of the accounts it holds.
  for (const u of users) {
    const r = await onB(u.userName);
    if (u.deleted) expect(r, `${u.userName} was deleted`).toBeUndefined();
    else if (u.active) expect(r, u.userName).toMatchObject({ externalId: u.id, title: u.title, displayName: u.displayName, active: true });
    else if (r) expect(r, u.userName).toMatchObject({ externalId: u.id, active: false });
  }
  for (const g of groups) {
    const r = await remoteGroup(g);
    expect(r, g.displayName).toBeDefined();
    const held = await Promise.all([...g.members].map(async (id) => (await remote(users.find((u) => u.id === id)!))?.id));
    const expected = held.filter((id) => id !== undefined);
    expect((r!.members ?? []).map((m) => m.value).sort(), g.displayName).toEqual(expected.sort());
  }

  // Nothing duplicated: relay B created each account once, plus once per deletion made on B.
  const requests = await proxy.requests();
  const faulted = requests.filter((r) => r.status !== r.upstreamStatus).length;
  console.log(`[property] seed ${seed}: ${requests.length} requests to relay B, ${faulted} faulted, ${trace.length} steps`);
  const creates = new Map<string, number>();
  for (const r of requests) {
    if (r.method !== 'POST' || r.upstreamStatus !== 201) continue;
    const name = (r.body as { userName?: string; displayName?: string }).userName ?? (r.body as { displayName?: string }).displayName ?? '';
    creates.set(name, (creates.get(name) ?? 0) + 1);
  }
  for (const [name, n] of creates) expect(n, `creates of ${name}`).toBeLessThanOrEqual(1 + (deletedOnB.get(name) ?? 0));
}

describe('property: every interleaving converges on the directory without duplicates', () => {
  for (const seed of SEEDS) {
    it(`seed ${seed}`, { timeout: 60_000 }, async () => {
      const trace: string[] = [];
      try {
        await runProperty(seed, trace);
      } catch (e) {
        console.error(`[property] seed ${seed} failed (replay: PROPERTY_SEED=${seed}); steps:\n  ${trace.join('\n  ')}`);
        throw e;
      }
    });
  }
});
