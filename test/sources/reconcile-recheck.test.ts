/**
 * A full reconciliation pages by offset: an account deleted before the read position shifts the
 * rest, and one account is never listed. The sweep re-reads each unseen account by id and
 * removes only what the source answers 404 for (the fake Drupal site and relay B, over HTTP).
 */
import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { api } from '../helpers/api';
import { runImports } from '../../worker/src/sources/importer';
import { newFaultTarget } from '../support/e2e';
import { dirUser, drupalPageSize, drupalSource, newSite, pageSizeOf, runSource, runSourceToEnd, uniq } from './support';

const onePage = () => ({ requests: 12, deadline: Date.now() + 60_000, queries: 10_000, pool: Number.POSITIVE_INFINITY });
const plenty = () => ({ requests: 10_000, deadline: Date.now() + 60_000, queries: 10_000, pool: Number.POSITIVE_INFINITY });

describe('reconciliation re-reads accounts the listing did not show', () => {
  it('Drupal: a deletion mid-run skips an account; the re-read keeps it, and a wrong removal is undone by the next listing', async () => {
    const p = uniq('skip');
    // Where page 1 ends is what the deletions shift: 50 items on Paid, 11 on Free (limits/cpu.ts)
    const n = drupalPageSize;
    const count = n + 10;
    const site = await newSite({ adminUser: false, users: Array.from({ length: count }, (_, i) => ({ uid: i + 2, name: `${p}-${i}` })) });
    const source = await drupalSource(site);
    expect((await runSourceToEnd(source.id, 'full', count)).counts.created).toBe(count);
    const first = await runImports(env, { budget: onePage(), sourceIds: [source.id], force: 'full' });
    expect(first[0]).toMatchObject({ status: 'running', counts: { pages: 1 } });

    // page 1 was uid 0 (a label) and uids 2–50 (2–11 on Free); uid 2 goes while the run is between
    // invocations: offset 50 now starts at uid 52, so uid 51 (`-49`) is never listed
    await site.deleteUser(2);
    await site.addUsers([{ uid: count + 10, name: `${p}-new` }]);
    const second = await runImports(env, { budget: plenty(), sourceIds: [source.id] });
    expect(second[0]).toMatchObject({ status: 'done' });
    // uid 2 was listed before it went: the next reconciliation finds it gone
    expect(second[0]!.counts).toMatchObject({ rechecked: 1, foundOnRecheck: 1 });
    expect(second[0]!.counts.deactivated).toBeUndefined();
    expect((await dirUser(`${p}-${n - 1}`))!.active).toBe(true);
    const skipped = (await site.state()).users.find((u) => u.uid === n + 1)!.uuid;
    expect((await site.requests()).some((r) => r.path === `/jsonapi/user/user/${skipped}`)).toBe(true);

    // A removal that was wrong (here: a proxy answering Drupal's 404 for a live account) is not
    // sticky: the next listing re-applies the account although its `changed` did not move.
    await site.deleteUser(3);
    const full = await runImports(env, { budget: onePage(), sourceIds: [source.id], force: 'full' });
    expect(full[0]!.status).toBe('running');
    // page 1 is now uid 0 and uids 4–52 (4–13 on Free); uid 4 goes, so uid 53 (`-51`) is skipped
    await site.deleteUser(4);
    const wronged = (await site.state()).users.find((u) => u.uid === n + 3)!.uuid;
    await site.faults([
      {
        match: { path: `/jsonapi/user/user/${wronged}` },
        respond: { status: 404, headers: { 'content-type': 'application/vnd.api+json' }, body: { errors: [{ status: '404', title: 'Not Found' }] } },
      },
    ]);
    const wrong = await runImports(env, { budget: plenty(), sourceIds: [source.id] });
    expect(wrong[0]).toMatchObject({ status: 'done', counts: { rechecked: 3, deactivated: 3 } });
    expect((await dirUser(`${p}-0`))!.active).toBe(false);
    expect((await dirUser(`${p}-1`))!.active).toBe(false);
    expect((await dirUser(`${p}-${n + 1}`))!.active).toBe(false);
    const again = await runSourceToEnd(source.id, 'full', count);
    expect(again.status).toBe('done');
    expect((await dirUser(`${p}-${n + 1}`))!.active).toBe(true);
    const link = await env.DB.prepare('SELECT removed_at AS removedAt FROM source_links WHERE source_id = ? AND remote_id = ?')
      .bind(source.id, wronged)
      .first<{ removedAt: string | null }>();
    expect(link!.removedAt).toBeNull();
  });

  it('a re-read that fails removes nobody; the next invocation re-reads again', async () => {
    const p = uniq('refail');
    const site = await newSite({ adminUser: false, users: Array.from({ length: 3 }, (_, i) => ({ uid: i + 2, name: `${p}-${i}` })) });
    const source = await drupalSource(site);
    await runSource(source.id, 'full');
    await site.deleteUser(3);
    await site.faults([{ match: { path: '/jsonapi/user/user/*' }, respond: { status: 503, body: 'maintenance' }, times: 1 }]);
    const r1 = await runSource(source.id, 'full');
    expect(r1).toMatchObject({ status: 'running' });
    expect(r1.error).toContain('503');
    expect((await dirUser(`${p}-1`))!.active).toBe(true);
    const r2 = await runSource(source.id);
    expect(r2).toMatchObject({ status: 'done', counts: { deactivated: 1 } });
    expect((await dirUser(`${p}-1`))!.active).toBe(false);
  });

  it('SCIM (relay-like server): a deletion mid-run skips a user; only the deleted one is deactivated', async () => {
    const server = newFaultTarget();
    const p = uniq('scimskip');
    // a page and one user more: 100 and 1 on Paid, 11 and 1 on Free (limits/cpu.ts)
    const n = pageSizeOf('scim');
    const ids: string[] = [];
    for (let i = 0; i < n + 1; i++) {
      const res = await server.scim('POST', '/Users', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: `${p}-${i}`, active: true });
      expect(res.status, res.text).toBe(201);
      ids.push(res.body.id);
    }
    const created = await api('POST', '/sources', {
      name: `S ${p}`,
      kind: 'scim',
      baseUrl: server.scimUrl,
      credentials: { type: 'bearer', token: server.token },
      settings: { mapping: { roles: false } },
    });
    expect(created.status, created.text).toBe(201);
    const id = created.body.id;
    expect((await runSourceToEnd(id, 'full', n + 1)).counts.created).toBe(n + 1);
    const first = await runImports(env, { budget: onePage(), sourceIds: [id], force: 'full' });
    expect(first[0]).toMatchObject({ status: 'running', counts: { read: n } });
    expect((await server.scim('DELETE', `/Users/${ids[0]}`)).status).toBe(204);
    const second = await runImports(env, { budget: plenty(), sourceIds: [id] });
    expect(second[0]).toMatchObject({ status: 'done' });
    // the user skipped by the shifted startIndex is re-read and kept; the deleted one was listed
    // before it went, so this run leaves it and the next one finds it gone
    expect(second[0]!.counts).toMatchObject({ rechecked: 1, foundOnRecheck: 1 });
    expect(second[0]!.counts.deactivated).toBeUndefined();
    for (let i = 0; i < n + 1; i++) expect((await dirUser(`${p}-${i}`))!.active, `${p}-${i}`).toBe(true);
    const third = await runSourceToEnd(id, 'full', n + 1);
    expect(third).toMatchObject({ status: 'done', counts: { rechecked: 1, deactivated: 1 } });
    expect((await dirUser(`${p}-0`))!.active).toBe(false);
    expect((await dirUser(`${p}-${n}`))!.active).toBe(true);
  });
});
