/**
 * A target's scope as SQL (worker/src/provisioning/scope.ts) against a real D1: nested groups
 * through a recursive CTE that terminates on cycles, filter scopes through the /scim/v2 compiler,
 * and overrides ("never" over everything, "always" over the scope) — each asked both as a set
 * and as a per-user probe, which must agree.
 */
import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import type { Scope } from '../../../shared/src/scope';
import { groupScopeCondition, type ScopeForm, scopeCondition, scopeFilterProblem } from '../../../worker/src/provisioning/scope';
import { createGroup, createUser, PATCH_URN, scim } from '../../helpers/scim';
import { createTarget } from '../../helpers/api';

const tag = () => crypto.randomUUID().slice(0, 8);

/** The ids among `ids` the scope of `targetId` takes in, asked in one form. */
async function inScopeAs(form: ScopeForm, scope: Scope, targetId: string, ids: string[]): Promise<string[]> {
  const cond = scopeCondition(scope, targetId, 'u.id', form);
  const { results } = await env.DB.prepare(`SELECT u.id FROM users u WHERE u.id IN (SELECT value FROM json_each(?)) AND ${cond.sql} ORDER BY u.user_name_lower`)
    .bind(JSON.stringify(ids), ...cond.params)
    .all<{ id: string }>();
  return results.map((r) => r.id);
}

/** The same, asked as a set (the whole directory's statements) and as a probe (a few ids): both forms must agree. */
async function inScope(scope: Scope, targetId: string, ids: string[]): Promise<string[]> {
  const [set, probe] = await Promise.all([inScopeAs('set', scope, targetId, ids), inScopeAs('probe', scope, targetId, ids)]);
  expect(probe).toEqual(set);
  return set;
}

async function addMember(groupId: string, memberId: string): Promise<void> {
  const res = await scim('PATCH', `/Groups/${groupId}`, { schemas: [PATCH_URN], Operations: [{ op: 'add', path: 'members', value: [{ value: memberId }] }] });
  expect(res.status).toBe(204);
}

describe('group scopes', () => {
  it('takes direct members, and with nested the members of member groups at any depth', async () => {
    const k = tag();
    const [a, b, c, d] = await Promise.all(['a', 'b', 'c', 'd'].map((p) => createUser(`${p}-${k}@scope.unit`)));
    const deepest = await createGroup(`deepest-${k}`, { members: [{ value: c.id }] });
    const middle = await createGroup(`middle-${k}`, { members: [{ value: b.id }, { value: deepest.id }] });
    const top = await createGroup(`top-${k}`, { members: [{ value: a.id }, { value: middle.id }] });
    const t = await createTarget(`unit-${k}`, { initialSync: false });
    const ids = [a.id, b.id, c.id, d.id];
    expect(await inScope({ kind: 'groups', groupIds: [top.id], nested: true }, t.id, ids)).toEqual([a.id, b.id, c.id]);
    expect(await inScope({ kind: 'groups', groupIds: [top.id], nested: false }, t.id, ids)).toEqual([a.id]);
    expect(await inScope({ kind: 'groups', groupIds: [middle.id, 'no-such-group'], nested: false }, t.id, ids)).toEqual([b.id]);
    expect(await inScope({ kind: 'all' }, t.id, ids)).toEqual(ids);
  });

  it('terminates on a cycle of groups and still takes every member of it', async () => {
    const k = tag();
    const [a, b, c] = await Promise.all(['a', 'b', 'c'].map((p) => createUser(`${p}-${k}@cycle.unit`)));
    const one = await createGroup(`one-${k}`, { members: [{ value: a.id }] });
    const two = await createGroup(`two-${k}`, { members: [{ value: b.id }, { value: one.id }] });
    const three = await createGroup(`three-${k}`, { members: [{ value: c.id }, { value: two.id }] });
    // one → three → two → one: a cycle of three groups.
    await addMember(one.id, three.id);
    const t = await createTarget(`cycle-${k}`, { initialSync: false });
    const scope: Scope = { kind: 'groups', groupIds: [two.id], nested: true };
    expect((await inScope(scope, t.id, [a.id, b.id, c.id])).sort()).toEqual([a.id, b.id, c.id].sort());
    const groups = groupScopeCondition(scope, 'g.pk')!;
    const { results } = await env.DB.prepare(`SELECT g.id FROM groups g WHERE ${groups.sql}`)
      .bind(...groups.params)
      .all<{ id: string }>();
    expect(results.map((r) => r.id).sort()).toEqual([one.id, two.id, three.id].sort());
  });
});

describe('filter scopes and overrides', () => {
  it('compiles the filter with the SCIM compiler; overrides decide over it', async () => {
    const k = tag();
    const type = `Employee-${k}`;
    const [e, f, g] = [
      await createUser(`e-${k}@filter.unit`, { userType: type }),
      await createUser(`f-${k}@filter.unit`, { userType: 'Contractor' }),
      await createUser(`g-${k}@filter.unit`, { userType: type, active: false }),
    ];
    const t = await createTarget(`filter-${k}`, { initialSync: false });
    const scope: Scope = { kind: 'filter', filter: `userType eq "${type}" and active eq true` };
    expect(await inScope(scope, t.id, [e.id, f.id, g.id])).toEqual([e.id]);
    await env.DB.batch([
      env.DB.prepare("INSERT INTO target_overrides (target_id, user_id, override, updated) VALUES (?, ?, 'always', 'now')").bind(t.id, f.id),
      env.DB.prepare("INSERT INTO target_overrides (target_id, user_id, override, updated) VALUES (?, ?, 'never', 'now')").bind(t.id, e.id),
    ]);
    expect(await inScope(scope, t.id, [e.id, f.id, g.id])).toEqual([f.id]);
    // "never" also wins over the scope of every user.
    expect(await inScope({ kind: 'all' }, t.id, [e.id, f.id, g.id])).toEqual([f.id, g.id]);
  });

  it('says why a filter does not compile, and nothing for one that does', () => {
    expect(scopeFilterProblem({ kind: 'filter', filter: 'userType eq' })).toMatch(/.{5,}/);
    expect(scopeFilterProblem({ kind: 'filter', filter: 'nosuch eq "x"' })).toMatch(/nosuch/);
    expect(scopeFilterProblem({ kind: 'filter', filter: 'userType eq "Employee"' })).toBeNull();
    expect(scopeFilterProblem({ kind: 'groups', groupIds: ['x'], nested: true })).toBeNull();
  });
});
