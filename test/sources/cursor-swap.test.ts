/**
 * An admin's change of the base URL (or credentials) mid-run clears the cursor; the running
 * invocation must not write it back, and a stored page link of another origin is never followed
 * (the fake Drupal site over HTTP).
 */
import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { api } from '../helpers/api';
import { runImports } from '../../worker/src/sources/importer';
import { dirUser, drupalPageSize, drupalSource, newSite, runSource, uniq } from './support';

const plenty = () => ({ requests: 10_000, deadline: Date.now() + 60_000, queries: 10_000, pool: Number.POSITIVE_INFINITY });

describe('cursor compare-and-swap', () => {
  it('a base URL changed while a page is in flight: the run stops, nothing of the old site is written back', async () => {
    const p = uniq('swap');
    const oldSite = await newSite({ adminUser: false, users: Array.from({ length: 60 }, (_, i) => ({ uid: i + 2, name: `${p}-old${i}` })) });
    const newSiteH = await newSite({ adminUser: false, users: [{ uid: 2, name: `${p}-new` }] });
    // a threshold under the first page's accounts (49 on Paid, 10 on Free), so the new site's run holds under either profile
    const source = await drupalSource(oldSite, { settings: { deletionThreshold: 5 } });
    await oldSite.faults([{ match: { path: '/jsonapi/user/user' }, delayMs: 1500, times: 1 }]);
    const running = runImports(env, { budget: plenty(), sourceIds: [source.id], force: 'full' });
    await new Promise((r) => setTimeout(r, 500));
    const patched = await api('PATCH', `/sources/${source.id}`, { baseUrl: newSiteH.baseUrl });
    expect(patched.status, patched.text).toBe(200);
    const [summary] = await running;
    expect(summary).toMatchObject({ status: 'failed' });
    expect(summary!.error).toContain('changed during the run');

    const after = (await api('GET', `/sources/${source.id}`)).body;
    expect(after).toMatchObject({ running: false, watermark: null, baseUrl: newSiteH.baseUrl });
    const oldRequests = (await oldSite.requests()).length;
    // the old site's first page was applied before the change: its accounts (all but uid 0, a
    // label) are unseen on the new site, which the deletion threshold holds for an admin — never
    // read at the old one
    expect(await runSource(source.id, 'full')).toMatchObject({ status: 'held', counts: { created: 1, held: drupalPageSize - 1 } });
    expect((await oldSite.requests()).length).toBe(oldRequests);
    expect(await dirUser(`${p}-new`)).toBeDefined();
  });

  it('a stored cursor whose next page is on another origin starts the run over at the source', async () => {
    const p = uniq('origin');
    const site = await newSite({ adminUser: false, users: [{ uid: 2, name: `${p}-a` }] });
    const source = await drupalSource(site);
    const foreign = {
      runId: 'old-run',
      kind: 'full',
      phase: 'read',
      next: 'http://localhost:9/jsonapi/user/user?page[offset]=50',
      maxChanged: null,
      failures: 0,
      startedAt: new Date().toISOString(),
    };
    await env.DB.prepare('UPDATE sources SET cursor = ? WHERE id = ?').bind(JSON.stringify(foreign), source.id).run();
    const [summary] = await runImports(env, { budget: plenty(), sourceIds: [source.id] });
    expect(summary).toMatchObject({ kind: 'full', status: 'done', counts: { created: 1 } });
    expect(summary!.runId).not.toBe('old-run');
    expect((await site.requests()).filter((r) => r.path === '/jsonapi/user/user')).toHaveLength(1);
  });
});
