/**
 * Issue #11 item 5: a PATCH that needs nothing from the stored resource is written in one D1
 * batch (worker/src/scim/one-trip-patch.ts). Sameness is proven differentially: seeded random
 * requests of the one-trip shapes run on two copies of the same resource, one through the
 * one-batch path and one through the engine that reads and applies in code (`patchInCode`), and
 * after each request the two copies must hold the same resource, version, indexed columns and
 * change rows. A failing seed prints its request; `PATCH_SEED=n` replays one seed.
 */
import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { createResource, patchInCode, patchResource, planPatch, type ScimContext } from '../../worker/src/scim/service';
import { groupResourceType, userResourceType } from '../../worker/src/scim/schema/registry';
import { ScimError } from '../../worker/src/scim/errors';
import { createPrng, type Prng } from '../helpers/prng';
import { BASE, ENTERPRISE_URN, PATCH_URN, USER_URN } from '../helpers/scim';

const ctx: ScimContext = { db: env.DB, baseUrl: BASE };
const SEEDS = process.env.PATCH_SEED ? [Number(process.env.PATCH_SEED)] : [11, 22, 33];
const REQUESTS_PER_SEED = 120;
/** Stands for the copy's own tag in generated values, so userNames stay unique per copy. */
const COPY = '{copy}';

const pathsOf = (r: Prng, attr: string, urn?: string) => {
  const forms = [attr, attr.toUpperCase(), attr[0]!.toUpperCase() + attr.slice(1)];
  return urn ? r.pick([...forms.map((f) => `${urn}:${f}`), ...(attr.includes('.') ? [] : [attr])]) : r.pick(forms);
};

/** A value for one single-valued attribute, in the shapes IdPs send (string booleans, bare manager ids, one-element lists). */
function valueOf(r: Prng, attr: string): unknown {
  switch (attr) {
    case 'active':
      return r.pick([true, false, 'True', 'False', 'true']);
    case 'userName':
      return `${r.pick(['Ada', 'ada', 'Grace', 'ÜNAL'])}.${r.int(3)}.${COPY}@diff.test`;
    case 'manager':
      return r.pick([`mgr-${r.int(3)}`, { value: `mgr-${r.int(3)}` }, [{ value: `mgr-${r.int(3)}`, displayName: 'ignored' }]]);
    case 'name':
      return r.pick([{ givenName: r.pick(['Ada', 'Émile']) }, { familyName: 'Lovelace', formatted: 'Ada Lovelace' }, { givenName: 'G', familyName: 'H' }]);
    default:
      return r.pick(['Engineering', 'engineering', 'ÉCOLE', '', `v${r.int(4)}`, 'Vice President']);
  }
}

const CORE = [
  'active',
  'displayName',
  'title',
  'nickName',
  'userType',
  'externalId',
  'userName',
  'name',
  'name.givenName',
  'name.familyName',
  'name.formatted',
];
const ENTERPRISE = ['department', 'employeeNumber', 'costCenter', 'manager', 'manager.value'];
const REMOVABLE = CORE.filter((a) => a !== 'userName');

function operation(r: Prng): object {
  const inExtension = r.chance(0.35);
  const attr = inExtension ? r.pick(ENTERPRISE) : r.pick(r.chance(0.2) ? REMOVABLE : CORE);
  const path = pathsOf(r, attr, inExtension ? ENTERPRISE_URN : undefined);
  const leaf = attr.split('.').pop()!;
  const unassignable = inExtension ? path : pathsOf(r, r.pick(REMOVABLE));
  switch (r.int(6)) {
    case 0:
      return { op: 'remove', path: unassignable };
    case 1:
      return { op: 'Replace', path: unassignable, value: null };
    case 2: {
      // Okta: a path-less replace of a few attributes; Entra ID: dotted and URN-qualified keys, stray ids.
      const value: Record<string, unknown> = { active: valueOf(r, 'active') };
      if (r.chance(0.5)) value[r.pick(['displayName', 'title', 'name.givenName', `${ENTERPRISE_URN}:department`])] = valueOf(r, 'x');
      if (r.chance(0.3)) value[ENTERPRISE_URN] = { employeeNumber: valueOf(r, 'x'), manager: { value: `mgr-${r.int(3)}` } };
      if (r.chance(0.3)) value[r.pick(['title', 'nickName', `${ENTERPRISE_URN}:costCenter`])] = null;
      if (r.chance(0.2)) Object.assign(value, { id: 'stray', schemas: [USER_URN] });
      return { op: r.pick(['replace', 'add']), value };
    }
    case 3:
      return { op: 'add', path, value: valueOf(r, leaf === 'value' ? 'x' : leaf) };
    default:
      return { op: r.pick(['replace', 'Replace']), path, value: valueOf(r, leaf === 'value' ? 'x' : leaf) };
  }
}

const request = (r: Prng) => ({ schemas: [PATCH_URN], Operations: Array.from({ length: 1 + r.int(3) }, () => operation(r)) });

/** A user body in one of a few starting states. */
function startOf(r: Prng, copy: string) {
  const base = { schemas: [USER_URN], userName: `start.${copy}@diff.test` };
  return r.pick([
    base,
    { ...base, active: true, name: { givenName: 'Ada', familyName: 'Lovelace' }, title: 'Engineer', emails: [{ value: `${copy}@x.test`, type: 'work' }] },
    { ...base, displayName: 'Ada', [ENTERPRISE_URN]: { department: 'Eng', manager: { value: 'mgr-0' } }, externalId: 'ext-1' },
  ]);
}

const swap = (text: string, from: string, to: string) => text.split(from).join(to);

/** What one copy holds, with its own tag written as COPY: stored row, columns, change rows. */
async function stateOf(table: 'users' | 'groups', id: string, copy: string) {
  const columns =
    table === 'users'
      ? 'data, version, user_name, user_name_lower, external_id, display_name_lower, given_name_lower, family_name_lower, active'
      : 'data, version, display_name, display_name_lower, external_id';
  const row = await env.DB.prepare(`SELECT ${columns} FROM ${table} WHERE id = ?`).bind(id).first<Record<string, unknown>>();
  const { results: changes } = await env.DB.prepare('SELECT op, version FROM changes WHERE resource_id = ? ORDER BY seq').bind(id).all();
  const { results: members } = await env.DB.prepare(
    'SELECT member_id FROM group_members WHERE group_pk = (SELECT pk FROM groups WHERE id = ?) ORDER BY member_id',
  )
    .bind(id)
    .all();
  const { data, ...rest } = row!;
  return JSON.parse(swap(JSON.stringify({ data: JSON.parse(data as string), ...rest, changes, members }), copy, COPY));
}

/** The outcome of a call as comparable data: the resource without its id and times, or the SCIM error. */
async function outcomeOf(call: () => Promise<{ resource: Record<string, unknown>; version: number }>, copy: string) {
  try {
    const w = await call();
    const { id: _id, meta, ...resource } = w.resource as { id: string; meta: Record<string, unknown> };
    return JSON.parse(swap(JSON.stringify({ resource, version: meta.version, written: w.version }), copy, COPY));
  } catch (err) {
    if (!(err instanceof ScimError)) throw err;
    return { status: err.status, scimType: err.scimType, detail: err.message };
  }
}

describe('one-trip PATCH is the engine’s PATCH (differential)', () => {
  it.each(SEEDS)('users, seed %i: the one-batch and the apply-in-code copy stay identical', async (seed) => {
    const r = createPrng(seed);
    const pairs = await Promise.all(
      Array.from({ length: 6 }, async (_, k) => {
        const copies = [`a${seed}x${k}`, `b${seed}x${k}`];
        const body = startOf(r, '');
        const ids = [];
        for (const copy of copies)
          ids.push((await createResource(ctx, userResourceType, JSON.parse(swap(JSON.stringify(body), 'start.@', `start.${copy}@`)))).resource.id as string);
        return { copies, ids };
      }),
    );
    for (let i = 0; i < REQUESTS_PER_SEED; i++) {
      const { copies, ids } = r.pick(pairs);
      const patch = request(r);
      const [fast, slow] = copies.map((c) => JSON.parse(swap(JSON.stringify(patch), COPY, c)));
      const why = `seed ${seed}, request ${i}: ${JSON.stringify(patch)}`;
      expect(planPatch(ctx, userResourceType, ids[0]!, fast, {}), why).toBeDefined();
      const a = await outcomeOf(() => patchResource(ctx, userResourceType, ids[0]!, fast, {}), copies[0]!);
      const b = await outcomeOf(() => patchInCode(ctx, userResourceType, ids[1]!, slow, {}), copies[1]!);
      expect(a, why).toEqual(b);
      expect(await stateOf('users', ids[0]!, copies[0]!), why).toEqual(await stateOf('users', ids[1]!, copies[1]!));
    }
  });

  it.each(SEEDS)('groups, seed %i: membership by id (with unknown ids and no-ops) and renames change the same rows and versions', async (seed) => {
    const r = createPrng(seed);
    const users = await Promise.all(
      Array.from(
        { length: 6 },
        async (_, k) => (await createResource(ctx, userResourceType, { userName: `member${seed}x${k}@diff.test` })).resource.id as string,
      ),
    );
    const pool = [...users, `ghost-${seed}`];
    const copies = [`ga${seed}`, `gb${seed}`];
    const ids: string[] = [];
    for (const copy of copies)
      ids.push((await createResource(ctx, groupResourceType, { displayName: copy, members: [{ value: users[0] }] })).resource.id as string);
    const member = () => r.pick(pool);
    const operationOf = () =>
      r.pick([
        () => ({ op: 'Add', path: 'members', value: [{ value: member() }, ...(r.chance(0.3) ? [{ value: member() }] : [])] }),
        () => ({ op: 'add', path: 'members', value: member() }),
        () => ({ op: 'Remove', path: 'members', value: [{ value: member() }] }),
        () => ({ op: 'remove', path: `members[value eq "${member()}"]` }),
        () => ({ op: 'add', value: { members: [{ value: member() }] } }),
        () => ({ op: 'replace', path: 'members', value: [{ value: member() }] }),
      ])();
    for (let i = 0; i < REQUESTS_PER_SEED / 2; i++) {
      // A rename alone is a merge of the stored JSON, like a user's attributes.
      const rename = { op: r.pick(['replace', 'Replace']), path: 'displayName', value: `${r.pick(['Team', 'team', 'ÉQUIPE'])} ${COPY} ${r.int(3)}` };
      const patch = { schemas: [PATCH_URN], Operations: r.chance(0.2) ? [rename] : Array.from({ length: 1 + r.int(2) }, operationOf) };
      const [fast, slow] = copies.map((c) => JSON.parse(swap(JSON.stringify(patch), COPY, c)));
      const why = `seed ${seed}, request ${i}: ${JSON.stringify(patch)}`;
      expect(planPatch(ctx, groupResourceType, ids[0]!, fast, {}), why).toBeDefined();
      const a = await outcomeOf(() => patchResource(ctx, groupResourceType, ids[0]!, fast, {}), copies[0]!);
      const b = await outcomeOf(() => patchInCode(ctx, groupResourceType, ids[1]!, slow, {}), copies[1]!);
      expect(a, why).toEqual(b);
      expect(await stateOf('groups', ids[0]!, copies[0]!), why).toEqual(await stateOf('groups', ids[1]!, copies[1]!));
    }
  });
});
