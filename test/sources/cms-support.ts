/**
 * Helpers for the WordPress and Joomla source tests: a fresh fake site per test (the real HTTP
 * servers of test/support/*-site), a source pointing at it through the admin API, and deletions
 * made through each site's own API, as an admin on the site would.
 */
import { expect, inject } from 'vitest';
import { api } from '../helpers/api';
import { createJoomlaSite, type JoomlaSiteHandle } from '../support/joomla-site/client';
import type { CreateJoomlaSiteRequest } from '../support/joomla-site/types';
import { createWordpressSite, type WordpressSiteHandle } from '../support/wordpress-site/client';
import type { CreateWpSiteRequest } from '../support/wordpress-site/types';

/**
 * A fresh WordPress site whose administrator (user 1, the relay's account) is named
 * `<prefix>-admin`: the directory is shared by the tests of a run, and every site's admin is
 * imported, so each needs its own userName.
 */
export async function newWpSite(prefix: string, req: CreateWpSiteRequest = {}): Promise<WordpressSiteHandle> {
  const site = await createWordpressSite(inject('wordpressSiteUrl'), req);
  await site.updateUser(1, { username: `${prefix}-admin`, email: `${prefix}-admin@wp.test` });
  return { ...site, adminToken: `${prefix}-admin${site.adminToken.slice(site.adminToken.indexOf(':'))}` };
}

/** A fresh Joomla site whose Super User (560, the token's account) is named `<prefix>-admin`. */
export async function newJoomlaSite(prefix: string, req: CreateJoomlaSiteRequest = {}): Promise<JoomlaSiteHandle> {
  const site = await createJoomlaSite(inject('joomlaSiteUrl'), req);
  await site.updateUser(560, { username: `${prefix}-admin`, email: `${prefix}-admin@joomla.test` });
  return site;
}

/** The site's administrator Application Password, as Basic credentials ("username:password" split at the first colon). */
export function wpCredentials(site: WordpressSiteHandle, password?: string) {
  const at = site.adminToken.indexOf(':');
  return { type: 'basic', username: site.adminToken.slice(0, at), password: password ?? site.adminToken.slice(at + 1) };
}

export async function wpSource(
  site: WordpressSiteHandle,
  extra: Record<string, unknown> = {},
  credentials: Record<string, unknown> = wpCredentials(site),
): Promise<any> {
  const res = await api('POST', '/sources', { name: `WordPress ${site.id}`, kind: 'wordpress-rest', baseUrl: site.baseUrl, credentials, ...extra });
  expect(res.status, res.text).toBe(201);
  return res.body;
}

export async function joomlaSource(
  site: JoomlaSiteHandle,
  extra: Record<string, unknown> = {},
  credentials: Record<string, unknown> = { type: 'bearer', token: site.adminToken },
): Promise<any> {
  const res = await api('POST', '/sources', { name: `Joomla ${site.id}`, kind: 'joomla-webservices', baseUrl: site.baseUrl, credentials, ...extra });
  expect(res.status, res.text).toBe(201);
  return res.body;
}

/** Deletes users through WordPress's REST API (force, content to user 1), as a site admin would. */
export async function wpDelete(site: WordpressSiteHandle, ids: number[]): Promise<void> {
  for (const id of ids) {
    const res = await fetch(`${site.baseUrl}/wp-json/wp/v2/users/${id}?force=true&reassign=1`, {
      method: 'DELETE',
      headers: { authorization: `Basic ${btoa(site.adminToken)}` },
    });
    expect(res.status, await res.text()).toBe(200);
  }
}

/** Deletes users through Joomla's Web Services API, as a site admin would. */
export async function joomlaDelete(site: JoomlaSiteHandle, ids: number[]): Promise<void> {
  for (const id of ids) {
    const res = await fetch(`${site.baseUrl}/api/index.php/v1/users/${id}`, {
      method: 'DELETE',
      headers: { 'x-joomla-token': site.adminToken, accept: 'application/vnd.api+json' },
    });
    expect(res.status, await res.text()).toBe(204);
  }
}
