/**
 * The tests' fake WordPress and Joomla sites (test/support/*-site, built from the real captures),
 * started in the bench process: their sources import without extensions (vite resolves them in
 * the tests), so each server is bundled for Node first, like bench:import's Drupal site. Sites
 * are created and read through the server's control API, as the tests do.
 */
import { build } from 'esbuild';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ROOT, WORK_DIR } from './runtime.ts';

export type CmsKind = 'wordpress' | 'joomla';

export interface CmsServer {
  url: string;
  close(): Promise<void>;
}

export interface CmsSite {
  id: string;
  baseUrl: string;
  controlUrl: string;
  /** WordPress: "username:application password"; Joomla: the Super User's API token */
  adminToken: string;
}

/** One logged request of a fake site (test/support/cms-site-types.ts CmsRequest, the fields used here). */
export interface SiteRequest {
  seq: number;
  method: string;
  route: string;
  status: number;
}

export async function startCmsServer(kind: CmsKind): Promise<CmsServer> {
  const outfile = path.join(WORK_DIR, `${kind}-site.mjs`);
  await build({
    entryPoints: [path.join(ROOT, `test/support/${kind}-site/server.ts`)],
    bundle: true,
    platform: 'node',
    format: 'esm',
    outfile,
    logLevel: 'silent',
  });
  const mod = (await import(pathToFileURL(outfile).href)) as Record<string, () => Promise<CmsServer>>;
  const start = kind === 'wordpress' ? mod.startWordpressSite : mod.startJoomlaSite;
  if (!start) throw new Error(`test/support/${kind}-site/server.ts exports no start function`);
  return start();
}

async function control<T>(url: string, method: string, body?: unknown): Promise<T> {
  const res = await fetch(url, { method, headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${url}: ${res.status} ${text.slice(0, 300)}`);
  return JSON.parse(text) as T;
}

export const createCmsSite = (server: CmsServer, req: Record<string, unknown> = {}) => control<CmsSite>(`${server.url}/__control/sites`, 'POST', req);

/** Requests the site saw after `since` (a seq). */
export const siteRequests = async (site: CmsSite, since = 0) =>
  (await control<{ requests: SiteRequest[] }>(`${site.controlUrl}/requests?since=${since}`, 'GET')).requests;

/** The site's accounts (only their count and names are used). */
export const siteUsers = async (site: CmsSite) => (await control<{ users: { id: number; username: string }[] }>(`${site.controlUrl}/state`, 'GET')).users;

/** Reads and writes among requests: a write is anything but GET (HEAD never occurs). */
export function tally(reqs: SiteRequest[]): { requests: number; reads: number; writes: number; byRoute: Record<string, number> } {
  const byRoute: Record<string, number> = {};
  for (const r of reqs) {
    // ids folded away: "GET /wp/v2/users/:id"
    const key = `${r.method} ${r.route.replace(/\/\d+(?=\/|$)/g, '/:id')}`;
    byRoute[key] = (byRoute[key] ?? 0) + 1;
  }
  const writes = reqs.filter((r) => r.method !== 'GET').length;
  return { requests: reqs.length, reads: reqs.length - writes, writes, byRoute };
}
