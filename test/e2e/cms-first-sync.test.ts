/**
 * A first sync into a WordPress or Joomla site matches the batch against one listing of the
 * site (site-index.ts) instead of one substring search per user and attribute (issue #12, the
 * 2.9 lookups per user of bench:cms): accounts already on the site are linked — by login, or by
 * email where the login differs — and never duplicated; the rest cost their create. Counted in
 * the fake site's own request log.
 */
import { env } from 'cloudflare:test';
import { describe, expect, inject, it } from 'vitest';
import { parseLimits } from '../../worker/src/limits/profile';
import { createBudget, dispatch } from '../../worker/src/provisioning/dispatcher';
import { api } from '../helpers/api';
import { ops } from '../helpers/operations';
import { bulkCreate } from '../helpers/scim';
import type { CmsRequest } from '../support/cms-site-types';
import { createJoomlaSite } from '../support/joomla-site/client';
import { createWordpressSite } from '../support/wordpress-site/client';

/** Directory users of the sync; one (WordPress) or two (Joomla) already have an account on the site. */
const USERS = 40;

async function seedDirectory(prefix: string): Promise<{ userName: string; email: string }[]> {
  const users = Array.from({ length: USERS }, (_, i) => ({ userName: `${prefix}-${String(i).padStart(2, '0')}`, email: `${prefix}-${i}@example.org` }));
  await bulkCreate(
    '/Users',
    users.map((u) => ({ userName: u.userName, emails: [{ value: u.email, type: 'work', primary: true }] })),
  );
  return users;
}

async function firstSync(kind: 'wordpress-rest' | 'joomla-webservices', baseUrl: string, token: string) {
  const created = await api('POST', '/targets', {
    name: `${kind} first sync`,
    kind,
    baseUrl,
    token,
    modes: { scheduled: { enabled: true, intervalMinutes: 1, operations: ops() } },
  });
  expect(created.status, created.text).toBe(201);
  // One run on Paid; on Free one invocation's 50 requests and queries, and its CPU (20 rows by
  // limits/cpu.ts), reach part of the 40, and each further run goes on from there. Every run
  // provisions at least a row, so more runs than users means it is stuck. Answers how many runs it took.
  const queued = async () =>
    (await env.DB.prepare("SELECT count(*) AS n FROM outbox WHERE target_id = ? AND state IN ('pending', 'leased')")
      .bind(created.body.id)
      .first<{ n: number }>())!.n;
  let runs = 0;
  do {
    await dispatch(env, { mode: 'scheduled', force: true, targetIds: [created.body.id], budget: createBudget(env, 'http') });
    runs++;
  } while (runs < USERS && (await queued()) > 0);
  return runs;
}

interface CmsSite<A> {
  baseUrl: string;
  adminToken: string;
  state(): Promise<{ users: A[] }>;
  requests(): Promise<CmsRequest[]>;
}

/**
 * Seeds the directory and runs the first sync into `site`, then checks what holds for either kind:
 * each directory user has exactly one account (by login or email), and the account already there
 * under a directory login kept its id. Returns the accounts before and after, and the site's log of the sync.
 */
async function firstSyncInto<A extends { id: number; username: string; email: string }>(
  kind: 'wordpress-rest' | 'joomla-webservices',
  site: CmsSite<A>,
  prefix: string,
) {
  const users = await seedDirectory(prefix);
  const before = (await site.state()).users;
  const since = (await site.requests()).length;
  const runs = await firstSync(kind, site.baseUrl, site.adminToken);
  if (parseLimits(env.RELAY_LIMITS).name === 'paid') expect(runs).toBe(1);
  const log = (await site.requests()).slice(since);

  const after = (await site.state()).users;
  expect(ours(after, prefix).length).toBe(USERS);
  for (const u of users) expect(after.filter((a) => a.username === u.userName || a.email === u.email).length, u.userName).toBe(1);
  expect(after.find((a) => a.username === `${prefix}-00`)!.id).toBe(before.find((a) => a.username === `${prefix}-00`)!.id);
  return { before, after, log, runs };
}

/** The site's accounts of this test's directory users (other tests' users share the directory). */
const ours = <A extends { username: string; email: string }>(accounts: A[], prefix: string) =>
  accounts.filter((a) => a.username.startsWith(`${prefix}-`) || a.email.startsWith(`${prefix}-`));
const created = (log: CmsRequest[], route: string, prefix: string) =>
  log.filter((r) => r.method === 'POST' && r.route === route && String((r.body as { username?: unknown }).username).startsWith(`${prefix}-`)).length;
const searches = (log: CmsRequest[], param: string) => log.filter((r) => r.method === 'GET' && new URLSearchParams(r.query).has(param));

describe('a first sync into a CMS site', () => {
  it('WordPress: one listing matches the whole batch; an existing account is linked by login, the rest created', async () => {
    const prefix = `wp${crypto.randomUUID().slice(0, 6)}`;
    const site = await createWordpressSite(inject('wordpressSiteUrl'), {
      users: [
        { username: `${prefix}-00`, email: `old-${prefix}@example.test` },
        ...Array.from({ length: 10 }, (_, i) => ({ username: `other${i}`, email: `other${i}@example.test` })),
      ],
    });
    const { log, runs } = await firstSyncInto('wordpress-rest', site, prefix);

    // The request counts are what one run of the whole batch costs: the Paid plan's one run. On
    // Free a run's 50 requests and queries take a few users per claim, each claim reads again,
    // and what holds there is the end state checked above (every user once, the login kept).
    if (runs === 1) {
      expect(searches(log, 'search')).toEqual([]);
      expect(log.filter((r) => r.method === 'GET' && r.route === '/wp/v2/users').length).toBeLessThanOrEqual(2);
    }
    expect(created(log, '/wp/v2/users', prefix)).toBe(USERS - 1);
  });

  it('Joomla: one listing matches the whole batch; existing accounts are linked by login or email, the rest created', async () => {
    const prefix = `jo${crypto.randomUUID().slice(0, 6)}`;
    const site = await createJoomlaSite(inject('joomlaSiteUrl'), {
      users: [
        { name: 'Old', username: `${prefix}-00`, email: `old-${prefix}@example.test`, groups: [2] },
        { name: 'Else', username: `someone-else-${prefix}`, email: `${prefix}-1@example.org`, groups: [2] },
        ...Array.from({ length: 10 }, (_, i) => ({ name: `Other ${i}`, username: `other${i}`, email: `other${i}@example.test`, groups: [2] })),
      ],
    });
    const { before, after, log, runs } = await firstSyncInto('joomla-webservices', site, prefix);
    // Linked by email, then given the directory's login (Joomla can rename; WordPress cannot).
    expect(after.find((a) => a.email === `${prefix}-1@example.org`)).toMatchObject({
      id: before.find((a) => a.username === `someone-else-${prefix}`)!.id,
      username: `${prefix}-01`,
    });

    if (runs === 1) {
      expect(searches(log, 'filter[search]')).toEqual([]);
      expect(log.filter((r) => r.method === 'GET' && r.route === '/v1/users').length).toBeLessThanOrEqual(2);
    }
    expect(created(log, '/v1/users', prefix)).toBe(USERS - 2);
  });
});
