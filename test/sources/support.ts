/**
 * Helpers for the source tests: a fresh fake Drupal site per test, a source pointing at it
 * through the admin API, and reads of the directory.
 */
import { env } from 'cloudflare:test';
import { expect, inject } from 'vitest';
import { api } from '../helpers/api';
import type { Source } from '../../shared/src/sources';
import { parseLimits } from '../../worker/src/limits/profile';
import { sourcePageSize } from '../../worker/src/sources/source-reader';
import { createDrupalSite, type DrupalSiteHandle } from '../support/drupal-site/client';
import type { CreateSiteRequest } from '../support/drupal-site/types';

export const drupalServer = inject('drupalSiteUrl');

/**
 * The page size a run of `kind` reads at under this run's profile: the source's maximum on Paid
 * (Drupal 50, SCIM, WordPress and Joomla 100), what 10 ms of CPU allows on Free (limits/cpu.ts: 11).
 */
export const pageSizeOf = (kind: Source['kind']): number => sourcePageSize(kind, parseLimits(env.RELAY_LIMITS).cpuMs);

export const drupalPageSize = pageSizeOf('drupal-jsonapi');

export async function newSite(req: CreateSiteRequest = {}): Promise<DrupalSiteHandle> {
  return createDrupalSite(drupalServer, req);
}

export async function drupalSource(
  site: DrupalSiteHandle,
  extra: Record<string, unknown> = {},
  credentials: Record<string, unknown> = { type: 'basic', username: 'admin', password: 'admin-pass' },
): Promise<any> {
  const res = await api('POST', '/sources', { name: `Drupal ${site.id}`, kind: 'drupal-jsonapi', baseUrl: site.baseUrl, credentials, ...extra });
  expect(res.status, res.text).toBe(201);
  return res.body;
}

export async function runSource(id: string, kind: 'incremental' | 'full' = 'incremental'): Promise<any> {
  const res = await api('POST', `/sources/${id}/run`, { kind });
  expect(res.status, res.text).toBe(200);
  return res.body;
}

/**
 * Runs an import and continues it, one invocation at a time, until it is no longer running — as
 * the queue's follow-ups and the cron continue it in production: on the Free plan (50 D1 queries,
 * 10 ms of CPU) a page is 11 accounts and a site of a hundred takes a dozen invocations.
 *
 * Every invocation moves a run on by a page or a sweep chunk of at least one account (the first
 * always runs), so a run over at most `accounts` takes at most that many invocations to list them
 * and as many to re-read them, and a few for its groups and its end: one still running after
 * those is stuck, the loop stops and the caller's `done` fails.
 */
export async function runSourceToEnd(id: string, kind: 'incremental' | 'full' = 'incremental', accounts = 150): Promise<any> {
  let summary = await runSource(id, kind);
  for (let i = 0; i < 2 * accounts + 5 && summary.status === 'running' && summary.error === null; i++) summary = await runSource(id, kind);
  return summary;
}

export interface DirUser {
  id: string;
  userName: string;
  active: boolean;
  externalId: string | null;
  emails: string[];
  groups: string[];
}

/** The directory user of a userName, with its group names; undefined when there is none. */
export async function dirUser(userName: string): Promise<DirUser | undefined> {
  const row = await env.DB.prepare('SELECT id, user_name AS userName, active, external_id AS externalId, data FROM users WHERE user_name_lower = ?')
    .bind(userName.toLowerCase())
    .first<{ id: string; userName: string; active: number | null; externalId: string | null; data: string }>();
  if (!row) return undefined;
  const groups = await env.DB.prepare(
    'SELECT g.display_name AS name FROM group_members m JOIN groups g ON g.pk = m.group_pk WHERE m.member_id = ? ORDER BY g.display_name',
  )
    .bind(row.id)
    .all<{ name: string }>();
  const data = JSON.parse(row.data) as { emails?: { value: string }[] };
  return {
    id: row.id,
    userName: row.userName,
    active: row.active !== 0,
    externalId: row.externalId,
    emails: (data.emails ?? []).map((e) => e.value),
    groups: groups.results.map((g) => g.name),
  };
}

export const uniq = (p: string) => `${p}-${crypto.randomUUID().slice(0, 8)}`;
