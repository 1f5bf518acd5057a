/**
 * bench:limits's request kinds: every SCIM request an IdP makes and every admin request the
 * extension's console, popup and People page make (extension/src/lib/console-api.ts,
 * relay-client.ts), each as "the i-th request of the kind" over a seeded directory. The SCIM
 * kinds bench:scim measures for latency (bench/lib/operations.ts) are reused as they are.
 */
import { query, type RequestSpec } from './client.ts';
import type { Client } from './client.ts';
import type { KindSpec } from './limits-measure.ts';
import { deck, scimOperations } from './operations.ts';
import { person } from './people.ts';
import type { Directory } from './seed.ts';

const BULK_URN = 'urn:ietf:params:scim:api:messages:2.0:BulkRequest';
const PATCH_URN = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const ENTERPRISE_URN = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

/** Entra ID's usual user update (its provisioning logs): Replace of active, a name part and an enterprise attribute. */
const entraReplace = (i: number) => ({
  schemas: [PATCH_URN],
  Operations: [
    { op: 'Replace', path: 'active', value: i % 2 === 0 ? 'True' : 'False' },
    { op: 'Replace', path: 'name.givenName', value: `Given${i}` },
    { op: 'Replace', path: `${ENTERPRISE_URN}:department`, value: `Dept ${i % 7}` },
  ],
});
/** rows on a Drupal People page (its default pager), looked up at once by the content script */
export const PEOPLE_PAGE = 50;

export interface Sampling {
  batches: number;
  perBatch: number;
}

const ok = (status: number[]): Pick<RequestSpec, 'expect'> => ({ expect: status });
const newUser = (tag: string, i: number, extra: Record<string, unknown> = {}) => ({ ...person(i + 1_000_000, tag).body, ...extra });

/**
 * DELETE's users: the end of the directory, which no other kind picks, so each request deletes a
 * user that exists — in the timed pass and in the profiled one (limits-measure.ts).
 */
const doomedCount = (m: Sampling) => 2 * m.batches * m.perBatch + 3;
const pickableOf = (dir: Directory, m: Sampling): Directory => ({ ...dir, users: dir.users.slice(0, -doomedCount(m)) });

/** The SCIM kinds. */
export function scimKinds(client: Client, dir: Directory, m: Sampling): KindSpec[] {
  const doomed = dir.users.slice(-doomedCount(m));
  const pickable = pickableOf(dir, m);
  const ops = new Map(scimOperations(client, pickable, 'limits').map((o) => [o.key, o]));
  const from = (key: string, kind: string): KindSpec => {
    const op = ops.get(key)!;
    return { kind, ...(op.prepare ? { prepare: op.prepare } : {}), request: () => op.next(0), ...m };
  };
  const user = deck(pickable.users, 11);
  const n = pickable.users.length;
  let deleted = 0;
  return [
    from('getById', 'GET /Users/{id}'),
    from('filterUserName', 'GET /Users?filter=userName eq'),
    from('filterWorkEmail', 'GET /Users?filter=emails[type eq "work"].value eq'),
    {
      kind: 'GET /Users?filter=userName co (a family name, ~1 in 660) &count=20',
      request: () => ({
        method: 'GET',
        path: `/scim/v2/Users?${query({ filter: `userName co "${user().familyName.toLowerCase()}"`, count: 20 })}`,
        ...ok([200]),
      }),
      ...m,
    },
    from('filterFamilySwSorted', 'GET /Users?filter=name.familyName sw &sortBy &count=20'),
    {
      kind: 'GET /Users?startIndex=1&count=100 (first page)',
      request: () => ({ method: 'GET', path: '/scim/v2/Users?startIndex=1&count=100', ...ok([200]) }),
      ...m,
    },
    from('deepIndex', 'GET /Users?startIndex=(last page)&count=100'),
    from('deepCursor', 'GET /Users?cursor=(deep)&count=100'),
    { kind: 'POST /Users', request: (i) => ({ method: 'POST', path: '/scim/v2/Users', body: newUser('np', i + 10), ...ok([201]) }), ...m },
    {
      kind: 'POST /Users with password',
      request: (i) => ({ method: 'POST', path: '/scim/v2/Users', body: newUser('pw', i + 10, { password: `Pw-${i}-long-enough` }), ...ok([201]) }),
      ...m,
    },
    {
      kind: 'PUT /Users/{id}',
      request: (i) => {
        // the seeded user's own body (users[k] is person(k)), with a new title
        const k = (Math.abs(i) * 7919) % n;
        return { method: 'PUT', path: `/scim/v2/Users/${pickable.users[k]!.id}`, body: { ...person(k).body, title: `Title ${i}` }, ...ok([200]) };
      },
      ...m,
    },
    from('patchUser', 'PATCH /Users/{id}'),
    {
      kind: 'PATCH /Users/{id} (Entra replace)',
      request: (i) => ({ method: 'PATCH', path: `/scim/v2/Users/${user().id}`, body: entraReplace(i), ...ok([200]) }),
      ...m,
    },
    {
      kind: 'PATCH /Users/{id} (Okta active)',
      request: (i) => ({
        method: 'PATCH',
        path: `/scim/v2/Users/${user().id}`,
        body: { schemas: [PATCH_URN], Operations: [{ op: 'replace', value: { active: i % 2 === 0 } }] },
        ...ok([200]),
      }),
      ...m,
    },
    { kind: 'DELETE /Users/{id}', request: () => ({ method: 'DELETE', path: `/scim/v2/Users/${doomed[deleted++]!.id}`, ...ok([204]) }), ...m },
    {
      kind: 'GET /Groups/{id} (100 members)',
      request: (i) => ({ method: 'GET', path: `/scim/v2/Groups/${dir.smallGroupIds[Math.abs(i) % dir.smallGroupIds.length]}`, ...ok([200]) }),
      ...m,
    },
    {
      kind: `GET /Groups/{big group}?excludedAttributes=members`,
      request: () => ({ method: 'GET', path: `/scim/v2/Groups/${dir.bigGroupId}?excludedAttributes=members`, ...ok([200]) }),
      ...m,
    },
    from('patchGroupMember', 'PATCH /Groups/{big group} remove/add 1 member'),
    {
      kind: 'POST /Bulk of 100 user creates',
      request: (i) => ({
        method: 'POST',
        path: '/scim/v2/Bulk',
        body: {
          schemas: [BULK_URN],
          Operations: Array.from({ length: 100 }, (_, k) => ({ method: 'POST', path: '/Users', bulkId: `b${k}`, data: newUser(`bk${i + 10}x`, k) })),
        },
        ...ok([200]),
      }),
      batches: Math.max(4, Math.floor(m.batches / 2)),
      perBatch: 4,
    },
    {
      kind: 'POST /Bulk of 100 user PATCHes (Entra replace)',
      request: (i) => ({
        method: 'POST',
        path: '/scim/v2/Bulk',
        body: {
          schemas: [BULK_URN],
          Operations: Array.from({ length: 100 }, (_, k) => ({
            method: 'PATCH',
            path: `/Users/${pickable.users[(Math.abs(i) * 100 + k) % n]!.id}`,
            data: entraReplace(i),
          })),
        },
        ...ok([200]),
      }),
      batches: Math.max(4, Math.floor(m.batches / 2)),
      perBatch: 4,
    },
  ];
}

export interface AdminContext {
  dir: Directory;
  /** a target with a group scope, synced once, so links, runs and audit events exist */
  targetId: string;
}

/** The admin API kinds, as the extension calls them. */
export function adminKinds(ctx: AdminContext, m: Sampling): KindSpec[] {
  const { dir, targetId } = ctx;
  const t = `/api/v1/targets/${targetId}`;
  const user = deck(pickableOf(dir, m).users, 21);
  const get = (kind: string, path: () => string): KindSpec => ({ kind, request: () => ({ method: 'GET', path: path(), ...ok([200]) }), ...m });
  return [
    get('GET /api/v1/health', () => '/api/v1/health'),
    get('GET /api/v1/targets (console, popup)', () => '/api/v1/targets'),
    get('GET /api/v1/targets/{id}', () => t),
    get('GET /api/v1/targets/{id}/sync (sync status)', () => `${t}/sync`),
    get('GET /api/v1/targets/{id}/plan', () => `${t}/plan`),
    {
      kind: 'POST /api/v1/targets/{id}/scope/preview, all users',
      request: () => ({ method: 'POST', path: `${t}/scope/preview`, body: { scope: { kind: 'all' } }, ...ok([200]) }),
      ...m,
    },
    {
      kind: 'POST /api/v1/targets/{id}/scope/preview, the big group',
      request: () => ({ method: 'POST', path: `${t}/scope/preview`, body: { scope: { kind: 'groups', groupIds: [dir.bigGroupId] } }, ...ok([200]) }),
      ...m,
    },
    get('GET /api/v1/targets/{id}/overrides', () => `${t}/overrides`),
    get('GET /api/v1/outbox?targetId', () => `/api/v1/outbox?targetId=${targetId}`),
    get('GET /api/v1/outbox/dead-letters', () => '/api/v1/outbox/dead-letters'),
    get('GET /api/v1/runs?targetId', () => `/api/v1/runs?targetId=${targetId}`),
    get('GET /api/v1/audit?targetId', () => `/api/v1/audit?targetId=${targetId}`),
    get('GET /api/v1/users?q= (search box, a userName prefix)', () => `/api/v1/users?${query({ q: user().userName.slice(0, 8) })}`),
    get('GET /api/v1/users?userName=', () => `/api/v1/users?${query({ userName: user().userName })}`),
    {
      kind: `POST /api/v1/users/lookup (a People page: ${PEOPLE_PAGE} userNames)`,
      request: () => ({
        method: 'POST',
        path: '/api/v1/users/lookup',
        body: { userNames: Array.from({ length: PEOPLE_PAGE }, () => user().userName) },
        ...ok([200]),
      }),
      ...m,
    },
    get('GET /api/v1/users/{id}/status (popup)', () => `/api/v1/users/${user().id}/status`),
    get('GET /api/v1/groups (scope picker, member counts)', () => '/api/v1/groups'),
    get('GET /api/v1/groups?q=', () => '/api/v1/groups?q=Team'),
    get('GET /api/v1/tokens', () => '/api/v1/tokens'),
    get('GET /api/v1/sources', () => '/api/v1/sources'),
  ];
}
