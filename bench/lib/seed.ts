/**
 * Seeds a directory through the relay's own SCIM API, so every row is what an IdP would have
 * written: users by /Bulk (within the advertised bulk limits), a few small groups by POST, and
 * one large group grown by PATCH `add` of `members` 1,000 at a time.
 */
import type { Client } from './client.ts';
import { person } from './people.ts';

export interface SeededUser {
  id: string;
  userName: string;
  workEmail: string;
  familyName: string;
}

export interface Directory {
  users: SeededUser[];
  bigGroupId: string;
  /** ids of the big group's members (a prefix of `users`) */
  bigGroupMembers: string[];
  smallGroupIds: string[];
  /** workarounds the seeding had to take, reported with the results */
  notes: string[];
  timings: { usersMs: number; groupsMs: number };
  bulk: { maxOperations: number; maxPayloadSize: number; opsPerRequest: number; concurrency: number };
}

interface BulkResponse {
  Operations: { bulkId?: string; status: string; location?: string; response?: unknown }[];
}

interface ServiceProviderConfig {
  bulk: { supported: boolean; maxOperations: number; maxPayloadSize: number };
}

const SMALL_GROUPS = 5;
const SMALL_GROUP_SIZE = 100;
const MEMBERS_PER_PATCH = 1000;
/**
 * D1 builds SQLite with SQLITE_LIMIT_COMPOUND_SELECT = 5, and the relay adds members with one
 * `SELECT ? … UNION ALL …` term per member; when a 1,000-member PATCH is refused the seed
 * falls back to PATCHes of this many members.
 */
const FALLBACK_MEMBERS_PER_PATCH = 5;
const PATCH_URN = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

/**
 * POSTs a BulkRequest. workerd sometimes drops a keep-alive connection right after a large
 * request, and the next request on it fails at once with "other side closed"; such a request is
 * sent again, but only once `isApplied` says the lost attempt changed nothing.
 */
async function postBulk(client: Client, body: unknown, isApplied: () => Promise<boolean>): Promise<BulkResponse> {
  for (let attempt = 1; ; attempt++) {
    const out = await client.send({ method: 'POST', path: '/scim/v2/Bulk', body, expect: [200] });
    if (!out.failure) return JSON.parse(out.text) as BulkResponse;
    if (out.status !== 0 || attempt === 3 || (await isApplied())) throw new Error(`POST /scim/v2/Bulk: ${out.failure}`);
  }
}

/** Splits users into Bulk requests under both maxOperations and maxPayloadSize. */
function bulkBodies(from: number, to: number, maxOps: number, maxBytes: number): { first: number; body: string }[] {
  const out: { first: number; body: string }[] = [];
  let first = from;
  while (first < to) {
    let n = Math.min(maxOps, to - first);
    for (;;) {
      const Operations = Array.from({ length: n }, (_, k) => ({ method: 'POST', path: '/Users', bulkId: `u${first + k}`, data: person(first + k).body }));
      const body = JSON.stringify({ schemas: ['urn:ietf:params:scim:api:messages:2.0:BulkRequest'], Operations });
      // 90%: headroom for the server's own accounting
      if (Buffer.byteLength(body) <= maxBytes * 0.9 || n === 1) {
        out.push({ first, body });
        break;
      }
      n = Math.floor(n / 2);
    }
    first += n;
  }
  return out;
}

async function seedUsers(
  client: Client,
  size: number,
  cfg: ServiceProviderConfig['bulk'],
  concurrency: number,
  log: (s: string) => void,
): Promise<{ users: SeededUser[]; opsPerRequest: number }> {
  const bodies = bulkBodies(0, size, Math.min(1000, cfg.maxOperations), cfg.maxPayloadSize);
  const users: SeededUser[] = new Array(size);
  let nextBody = 0;
  let done = 0;
  let lastLog = Date.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (nextBody < bodies.length) {
        const { first, body } = bodies[nextBody++]!;
        const firstUserName = person(first).userName;
        const res = await postBulk(client, JSON.parse(body), async () => {
          const found = await client.json<{ totalResults: number }>({
            method: 'GET',
            path: `/scim/v2/Users?filter=${encodeURIComponent(`userName eq "${firstUserName}"`)}&count=0`,
            expect: [200],
          });
          return found.totalResults > 0;
        });
        for (const op of res.Operations) {
          const n = Number(op.bulkId?.slice(1));
          if (op.status !== '201' || !op.location) throw new Error(`Bulk POST ${op.bulkId} failed: ${op.status} ${JSON.stringify(op.response)}`);
          const p = person(n);
          users[n] = { id: op.location.slice(op.location.lastIndexOf('/') + 1), userName: p.userName, workEmail: p.workEmail, familyName: p.familyName };
        }
        done += res.Operations.length;
        if (Date.now() - lastLog > 10_000) {
          log(`  … ${done.toLocaleString('en')} / ${size.toLocaleString('en')} users`);
          lastLog = Date.now();
        }
      }
    }),
  );
  const missing = users.findIndex((u) => u === undefined);
  if (users.length !== size || missing !== -1) throw new Error(`seeding left user ${missing} uncreated`);
  return { users, opsPerRequest: Math.max(...bodies.map((_, i) => (bodies[i + 1]?.first ?? size) - bodies[i]!.first)) };
}

async function createGroup(client: Client, displayName: string): Promise<string> {
  const g = await client.json<{ id: string }>({
    method: 'POST',
    path: '/scim/v2/Groups',
    body: { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName },
    expect: [201],
  });
  return g.id;
}

const addPatch = (ids: string[]) => ({ schemas: [PATCH_URN], Operations: [{ op: 'add', path: 'members', value: ids.map((value) => ({ value })) }] });

/**
 * Adds members 1,000 per PATCH, as an IdP would. If the relay answers 500 to that, it is
 * recorded in `notes` and the rest goes in PATCHes small enough to pass, one after another
 * (concurrent writes to one group conflict on its version). Not as /Bulk operations: a Bulk
 * PATCH renders the whole group, all its members, after every operation.
 */
async function addMembers(client: Client, groupId: string, ids: string[], notes: string[]): Promise<void> {
  let i = 0;
  if (!notes.some((n) => n.startsWith('MEMBER_BATCH'))) {
    for (; i < ids.length; i += MEMBERS_PER_PATCH) {
      const part = ids.slice(i, i + MEMBERS_PER_PATCH);
      const out = await client.send({ method: 'PATCH', path: `/scim/v2/Groups/${groupId}`, body: addPatch(part), expect: [204] });
      if (!out.failure) continue;
      if (out.status !== 500 || part.length <= FALLBACK_MEMBERS_PER_PATCH) throw new Error(`PATCH add of ${part.length} members: ${out.failure}`);
      notes.push(
        `MEMBER_BATCH: PATCH /Groups/{id} adding ${part.length} members answered HTTP ${out.status} (the worker logs "too many terms in compound SELECT": D1 allows 5 terms per compound SELECT); groups were seeded with PATCHes of ${FALLBACK_MEMBERS_PER_PATCH} members each.`,
      );
      break;
    }
  }
  for (; i < ids.length; i += FALLBACK_MEMBERS_PER_PATCH) {
    const part = ids.slice(i, i + FALLBACK_MEMBERS_PER_PATCH);
    await client.json({ method: 'PATCH', path: `/scim/v2/Groups/${groupId}`, body: addPatch(part), expect: [204] });
  }
}

/**
 * Users only, by /Bulk within the advertised limits: for benches that need a directory of people
 * and nothing else (bench:provision).
 */
export async function seedUserDirectory(
  client: Client,
  size: number,
  bulkConcurrency: number,
  log: (s: string) => void,
): Promise<{ users: SeededUser[]; usersMs: number; opsPerRequest: number }> {
  const spc = await client.json<ServiceProviderConfig>({ method: 'GET', path: '/scim/v2/ServiceProviderConfig', expect: [200] });
  if (!spc.bulk.supported) throw new Error('the relay does not advertise Bulk');
  const t0 = performance.now();
  const { users, opsPerRequest } = await seedUsers(client, size, spc.bulk, bulkConcurrency, log);
  return { users, usersMs: performance.now() - t0, opsPerRequest };
}

export async function seed(client: Client, size: number, bigGroupSize: number, bulkConcurrency: number, log: (s: string) => void): Promise<Directory> {
  const spc = await client.json<ServiceProviderConfig>({ method: 'GET', path: '/scim/v2/ServiceProviderConfig', expect: [200] });
  if (!spc.bulk.supported) throw new Error('the relay does not advertise Bulk');

  const t0 = performance.now();
  const { users, opsPerRequest } = await seedUsers(client, size, spc.bulk, bulkConcurrency, log);
  const usersMs = performance.now() - t0;

  const t1 = performance.now();
  const notes: string[] = [];
  const smallGroupIds: string[] = [];
  for (let g = 0; g < SMALL_GROUPS; g++) {
    const members = Array.from({ length: Math.min(SMALL_GROUP_SIZE, size) }, (_, k) => users[(g * 7919 + k * 97) % size]!.id);
    const id = await createGroup(client, `Team ${g + 1}`);
    await addMembers(client, id, [...new Set(members)], notes);
    smallGroupIds.push(id);
  }
  const bigGroupMembers = users.slice(0, bigGroupSize).map((u) => u.id);
  const bigGroupId = await createGroup(client, 'All staff');
  await addMembers(client, bigGroupId, bigGroupMembers, notes);
  const check = await client.json<{ totalResults: number }>({
    method: 'GET',
    path: `/scim/v2/Users?filter=${encodeURIComponent(`groups.value eq "${bigGroupId}"`)}&count=0`,
    expect: [200],
  });
  if (check.totalResults !== bigGroupSize) throw new Error(`the big group has ${check.totalResults} members, expected ${bigGroupSize}`);
  const groupsMs = performance.now() - t1;
  return {
    users,
    bigGroupId,
    bigGroupMembers,
    smallGroupIds,
    notes,
    timings: { usersMs, groupsMs },
    bulk: { maxOperations: spc.bulk.maxOperations, maxPayloadSize: spc.bulk.maxPayloadSize, opsPerRequest, concurrency: bulkConcurrency },
  };
}
