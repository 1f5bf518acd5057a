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

async function seedUsers(client: Client, size: number, cfg: ServiceProviderConfig['bulk'], concurrency: number, log: (s: string) => void): Promise<{ users: SeededUser[]; opsPerRequest: number }> {
  const bodies = bulkBodies(0, size, Math.min(1000, cfg.maxOperations), cfg.maxPayloadSize);
  const users: SeededUser[] = new Array(size);
  let nextBody = 0;
  let done = 0;
  let lastLog = Date.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (nextBody < bodies.length) {
        const { first, body } = bodies[nextBody++]!;
        const res = await client.json<BulkResponse>({ method: 'POST', path: '/scim/v2/Bulk', body: JSON.parse(body), expect: [200] });
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

async function createGroup(client: Client, displayName: string, memberIds: string[]): Promise<string> {
  const g = await client.json<{ id: string }>({
    method: 'POST',
    path: '/scim/v2/Groups',
    body: { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName, members: memberIds.map((value) => ({ value })) },
    expect: [201],
  });
  return g.id;
}

export async function seed(client: Client, size: number, bigGroupSize: number, bulkConcurrency: number, log: (s: string) => void): Promise<Directory> {
  const spc = await client.json<ServiceProviderConfig>({ method: 'GET', path: '/scim/v2/ServiceProviderConfig', expect: [200] });
  if (!spc.bulk.supported) throw new Error('the relay does not advertise Bulk');

  const t0 = performance.now();
  const { users, opsPerRequest } = await seedUsers(client, size, spc.bulk, bulkConcurrency, log);
  const usersMs = performance.now() - t0;

  const t1 = performance.now();
  const smallGroupIds: string[] = [];
  for (let g = 0; g < SMALL_GROUPS; g++) {
    const members = Array.from({ length: Math.min(SMALL_GROUP_SIZE, size) }, (_, k) => users[(g * 7919 + k * 97) % size]!.id);
    smallGroupIds.push(await createGroup(client, `Team ${g + 1}`, [...new Set(members)]));
  }
  const bigGroupMembers = users.slice(0, bigGroupSize).map((u) => u.id);
  const bigGroupId = await createGroup(client, 'All staff', []);
  for (let i = 0; i < bigGroupMembers.length; i += MEMBERS_PER_PATCH) {
    const value = bigGroupMembers.slice(i, i + MEMBERS_PER_PATCH).map((id) => ({ value: id }));
    await client.json({
      method: 'PATCH',
      path: `/scim/v2/Groups/${bigGroupId}`,
      body: { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'add', path: 'members', value }] },
      expect: [204],
    });
  }
  const groupsMs = performance.now() - t1;
  return {
    users,
    bigGroupId,
    bigGroupMembers,
    smallGroupIds,
    timings: { usersMs, groupsMs },
    bulk: { maxOperations: spc.bulk.maxOperations, maxPayloadSize: spc.bulk.maxPayloadSize, opsPerRequest, concurrency: bulkConcurrency },
  };
}
