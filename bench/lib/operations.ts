/**
 * The measured operations. Each request picks a different target (a random existing id,
 * userName, email or name prefix), so no answer is a repeat of the previous one.
 */
import { query, type Client, type RequestSpec } from './client.ts';
import type { NextRequest } from './load.ts';
import { person } from './people.ts';
import type { Directory } from './seed.ts';

export interface Operation {
  key: string;
  label: string;
  /** how the request is built, for the README and the report */
  detail: string;
  /** setup excluded from timing (e.g. walking to a deep cursor) */
  prepare?: () => Promise<string | void>;
  next: NextRequest;
}

const PATCH_URN = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const DEEP_PAGE = 100;
const SORTED_PAGE = 20;

/** mulberry32: a small seeded PRNG, so runs pick the same targets. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Hands out items in a shuffled order, wrapping around only after every item was used. */
export function deck<T>(items: readonly T[], seed: number): () => T {
  const rnd = random(seed);
  const order = items.map((_, i) => i);
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  let i = 0;
  return () => items[order[i++ % order.length]!]!;
}

const totalIs = (n: number) => (text: string) => (text.includes(`"totalResults":${n},`) ? undefined : `expected totalResults ${n}`);
const someItems = (text: string) => {
  const m = /"itemsPerPage":(\d+)/.exec(text);
  return m && Number(m[1]) > 0 ? undefined : 'empty page';
};
const quoted = (s: string) => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;

interface ListHead {
  totalResults: number;
  itemsPerPage: number;
  nextCursor?: string;
}

export function baselineOperation(): Operation {
  return {
    key: 'baseline',
    label: 'baseline GET /api/v1/ping',
    detail: 'GET /api/v1/ping (token check, a D1 lookup once per isolate per 30 s, + JSON)',
    next: () => ({ method: 'GET', path: '/api/v1/ping', expect: [200] }),
  };
}

export function scimOperations(client: Client, dir: Directory, phase: string): Operation[] {
  const user = deck(dir.users, 1);
  const member = deck(dir.bigGroupMembers, 2);
  let total = dir.users.length;
  const cursors: string[] = [];
  let cursorAt = 0;
  let posted = 0;
  const jitter = random(3);
  /** per lane: the member removed by this lane's last request, to add back next */
  const removed = new Map<number, string>();

  return [
    {
      key: 'getById',
      label: 'GET /Users/{id}',
      detail: 'GET /Users/{random id}',
      next: () => {
        const u = user();
        return { method: 'GET', path: `/scim/v2/Users/${u.id}`, expect: [200], check: (t) => (t.includes(`"id":"${u.id}"`) ? undefined : 'wrong user') };
      },
    },
    {
      key: 'filterUserName',
      label: 'filter userName eq',
      detail: 'GET /Users?filter=userName eq "{random userName}"',
      next: () => ({ method: 'GET', path: `/scim/v2/Users?${query({ filter: `userName eq ${quoted(user().userName)}` })}`, expect: [200], check: totalIs(1) }),
    },
    {
      key: 'filterWorkEmail',
      label: 'filter emails[type eq "work"].value eq',
      detail: 'GET /Users?filter=emails[type eq "work"].value eq "{random work email}"',
      next: () => ({
        method: 'GET',
        path: `/scim/v2/Users?${query({ filter: `emails[type eq "work"].value eq ${quoted(user().workEmail)}` })}`,
        expect: [200],
        check: totalIs(1),
      }),
    },
    {
      key: 'filterFamilySwSorted',
      label: 'filter name.familyName sw + sortBy',
      detail: `GET /Users?filter=name.familyName sw "{first 4 letters of a random user's familyName}"&sortBy=name.familyName&count=${SORTED_PAGE}`,
      next: () => ({
        method: 'GET',
        path: `/scim/v2/Users?${query({ filter: `name.familyName sw ${quoted(user().familyName.slice(0, 4))}`, sortBy: 'name.familyName', count: SORTED_PAGE })}`,
        expect: [200],
        check: someItems,
      }),
    },
    {
      key: 'deepIndex',
      label: `deep page, index (count=${DEEP_PAGE})`,
      detail: `GET /Users?startIndex={totalResults - ${DEEP_PAGE} - random 0..99}&count=${DEEP_PAGE}`,
      prepare: async () => {
        total = (await client.json<ListHead>({ method: 'GET', path: '/scim/v2/Users?count=0', expect: [200] })).totalResults;
        return `totalResults ${total}`;
      },
      next: () => {
        const start = Math.max(1, total - DEEP_PAGE - Math.floor(jitter() * 100));
        return { method: 'GET', path: `/scim/v2/Users?${query({ startIndex: start, count: DEEP_PAGE })}`, expect: [200], check: someItems };
      },
    },
    {
      key: 'deepCursor',
      label: `deep page, cursor (count=${DEEP_PAGE})`,
      detail: `GET /Users?cursor={one of the cursors within the last ~3,000 users}&count=${DEEP_PAGE}`,
      prepare: async () => {
        const t0 = performance.now();
        const walk = (cursor: string, count: number) =>
          client.json<ListHead>({ method: 'GET', path: `/scim/v2/Users?${query({ cursor, count, attributes: 'id' })}`, expect: [200] });
        const head = await walk('', 1);
        const fineSpan = Math.min(3000, Math.floor(head.totalResults / 2));
        let seen = 1;
        let cursor = head.nextCursor ?? '';
        // Coarse steps to the deep end (a keyset cursor is only reachable by walking), then
        // fine steps, keeping every cursor that still has a full page after it.
        while (seen + 1000 < head.totalResults - fineSpan) {
          const page = await walk(cursor, 1000);
          seen += page.itemsPerPage;
          cursor = page.nextCursor!;
        }
        while (seen + 10 <= head.totalResults - DEEP_PAGE) {
          const page = await walk(cursor, 10);
          seen += page.itemsPerPage;
          cursor = page.nextCursor!;
          cursors.push(cursor);
        }
        if (cursors.length === 0) throw new Error('no deep cursor found');
        return `${cursors.length} cursors past user ${(head.totalResults - fineSpan).toLocaleString('en')} (walk ${((performance.now() - t0) / 1000).toFixed(1)} s, untimed)`;
      },
      next: () => ({
        method: 'GET',
        path: `/scim/v2/Users?${query({ cursor: cursors[cursorAt++ % cursors.length]!, count: DEEP_PAGE })}`,
        expect: [200],
        check: someItems,
      }),
    },
    {
      key: 'post',
      label: 'POST /Users',
      detail: 'POST /Users with a new user (same shape as the seeded ones)',
      next: () => ({ method: 'POST', path: '/scim/v2/Users', body: person(posted++, `p${phase}-`).body, expect: [201] }),
    },
    {
      key: 'patchUser',
      label: 'PATCH /Users/{id} (one attribute)',
      detail: 'PATCH /Users/{random id} replace "title"',
      next: () => ({
        method: 'PATCH',
        path: `/scim/v2/Users/${user().id}`,
        body: { schemas: [PATCH_URN], Operations: [{ op: 'replace', path: 'title', value: `Title ${jitter().toString(36).slice(2, 8)}` }] },
        expect: [200],
      }),
    },
    {
      key: 'patchGroupMember',
      label: 'PATCH big group: remove/add 1 member',
      detail: 'PATCH /Groups/{big group}: each lane alternates remove members[value eq "{random member}"] and add of the same member back',
      next: (lane): RequestSpec => {
        const back = removed.get(lane);
        const path = `/scim/v2/Groups/${dir.bigGroupId}`;
        if (back) {
          removed.delete(lane);
          return {
            method: 'PATCH',
            path,
            body: { schemas: [PATCH_URN], Operations: [{ op: 'add', path: 'members', value: [{ value: back }] }] },
            expect: [204],
          };
        }
        const id = member();
        removed.set(lane, id);
        return { method: 'PATCH', path, body: { schemas: [PATCH_URN], Operations: [{ op: 'remove', path: `members[value eq "${id}"]` }] }, expect: [204] };
      },
    },
  ];
}
