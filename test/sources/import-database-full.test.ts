/**
 * An import and a nearly full database (issue #11 item 6): a run does not start or continue
 * writing users once the database is at the full threshold. It stops between pages with the
 * status `stopped` and a message that says how far it got, keeps its cursor, and resumes where
 * it stopped once there is room. As in database-full.test.ts, the plan's size comes from the
 * profile (RELAY_LIMITS per call), so a tiny `d1Bytes` stands in for a full database; the size is
 * the one the real D1 reports.
 */
import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { fetchUnderLimits } from '../helpers/limits-fetch';
import { dirUser, drupalSource, newSite, uniq } from './support';

/** Full from the first byte: 4 KB on the Free plan's limits. */
const FULL = JSON.stringify({ base: 'free', d1Bytes: 4096 });
/** Room, and D1 queries for about one page of 50 accounts per invocation. */
const ONE_PAGE = JSON.stringify({ base: 'paid', d1Queries: 25 });

async function call(method: string, path: string, body: unknown, limits: string) {
  const res = await fetchUnderLimits(method, `http://relay.test/api/v1${path}`, body, limits, 'application/json');
  return { status: res.status, headers: res.headers, body: (await res.json()) as any };
}

const run = (sourceId: string, limits: string, kind: 'full' | 'incremental' = 'full') => call('POST', `/sources/${sourceId}/run`, { kind }, limits);

async function usersOf(sourceId: string): Promise<number> {
  const row = await env.DB.prepare('SELECT count(*) AS n FROM source_links WHERE source_id = ?').bind(sourceId).first<{ n: number }>();
  return row!.n;
}

describe('an import when the database is nearly full', () => {
  it('stops a run between pages, keeps its place, and resumes it once there is room', async () => {
    const p = uniq('fullimp');
    const site = await newSite({ adminUser: false, generate: 120, generatePrefix: `${p}-u` });
    const source = await drupalSource(site);

    // 25 D1 queries read the first page in this invocation, not all three.
    const first = await run(source.id, ONE_PAGE);
    expect(first.status).toBe(200);
    expect(first.body.status).toBe('running');
    const before = await usersOf(source.id);
    expect(before).toBeGreaterThan(0);
    expect(before).toBeLessThan(120);
    const pagesRead = (await site.requests()).filter((r) => r.path === '/jsonapi/user/user').length;

    const stopped = await run(source.id, FULL);
    expect(stopped.body).toMatchObject({ runId: first.body.runId, status: 'stopped' });
    expect(stopped.body.error).toMatch(/^Stopped: the relay's database is nearly full \([\d.]+ MB of 0 MB\)/);
    expect(stopped.body.error).toContain(`${before} accounts imported by this run so far`);
    expect(stopped.body.error).toContain('move the relay to the Workers Paid plan');
    // nothing more was read or written, and the run, the source and its cursor say so
    expect(await usersOf(source.id)).toBe(before);
    expect((await site.requests()).filter((r) => r.path === '/jsonapi/user/user')).toHaveLength(pagesRead);
    const runs = await call('GET', `/sources/${source.id}/runs`, undefined, 'paid');
    expect(runs.body.items[0]).toMatchObject({ id: first.body.runId, status: 'stopped', error: stopped.body.error, finishedAt: null });
    const held = await call('GET', `/sources/${source.id}`, undefined, 'paid');
    expect(held.body).toMatchObject({ running: true, stopped: true, lastError: stopped.body.error, watermark: null });

    // Asked again while still full (the next cron, or an admin's "run now"): still stopped, same run.
    expect((await run(source.id, FULL)).body).toMatchObject({ runId: first.body.runId, status: 'stopped' });

    // Room again: the same run resumes at its next page and finishes; the run is running, then done.
    let resumed = await run(source.id, ONE_PAGE);
    expect(resumed.body).toMatchObject({ runId: first.body.runId, status: 'running', error: null });
    expect((await call('GET', `/sources/${source.id}`, undefined, 'paid')).body).toMatchObject({ running: true, stopped: false });
    expect((await call('GET', `/sources/${source.id}/runs`, undefined, 'paid')).body.items[0]).toMatchObject({ status: 'running', error: null });
    for (let i = 0; i < 10 && resumed.body.status === 'running'; i++) resumed = await run(source.id, ONE_PAGE);
    expect(resumed.body).toMatchObject({ runId: first.body.runId, status: 'done', error: null });
    expect(resumed.body.counts).toMatchObject({ read: 120, created: 120, pages: 3 });
    expect(await usersOf(source.id)).toBe(120);
    expect((await site.requests()).filter((r) => r.path === '/jsonapi/user/user')).toHaveLength(3);
    const after = await call('GET', `/sources/${source.id}/runs`, undefined, 'paid');
    expect(after.body.items[0]).toMatchObject({ id: first.body.runId, status: 'done', error: null });
  });

  it('does not start writing a new run while full; the same run imports once there is room', async () => {
    const p = uniq('fullnew');
    const site = await newSite({ adminUser: false, users: [{ uid: 2, name: `${p}-ann` }] });
    const source = await drupalSource(site);
    const stopped = await run(source.id, FULL);
    expect(stopped.body).toMatchObject({ status: 'stopped', counts: { invocations: 1 } });
    expect(stopped.body.error).toContain('0 accounts imported by this run so far');
    expect(await dirUser(`${p}-ann`)).toBeUndefined();
    expect((await site.requests()).filter((r) => r.path === '/jsonapi/user/user')).toHaveLength(0);

    const done = await run(source.id, 'paid');
    expect(done.body).toMatchObject({ runId: stopped.body.runId, status: 'done', counts: { created: 1 } });
    expect(await dirUser(`${p}-ann`)).toBeDefined();
  });

  it('stops a reconciliation before its sweep deactivates anyone, and sweeps once there is room', async () => {
    const p = uniq('fullsweep');
    const site = await newSite({ adminUser: false, users: [0, 1, 2].map((i) => ({ uid: i + 2, name: `${p}-${i}` })) });
    const source = await drupalSource(site);
    expect((await run(source.id, 'paid')).body).toMatchObject({ status: 'done', counts: { created: 3 } });
    await site.deleteUser(4);
    // A full run that has read every account and is about to sweep (the importer's cursor, as
    // stored between invocations): every link counts as unseen since it started.
    const runId = crypto.randomUUID();
    const startedAt = new Date(Date.now() + 1000).toISOString();
    await env.DB.prepare("INSERT INTO import_runs (id, source_id, kind, started_at, counts, status) VALUES (?, ?, 'full', ?, '{\"read\":2}', 'running')")
      .bind(runId, source.id, startedAt)
      .run();
    const cursor = { runId, kind: 'full', phase: 'sweep', next: null, maxChanged: null, failures: 0, startedAt };
    await env.DB.prepare('UPDATE sources SET cursor = ? WHERE id = ?').bind(JSON.stringify(cursor), source.id).run();

    const stopped = await run(source.id, FULL);
    expect(stopped.body).toMatchObject({ runId, status: 'stopped' });
    expect(stopped.body.error).toContain('(every account was read; deactivating those gone from the source waits)');
    expect(stopped.body.counts.rechecked).toBeUndefined();
    expect((await dirUser(`${p}-2`))!.active).toBe(true);

    const swept = await run(source.id, 'paid');
    expect(swept.body).toMatchObject({ runId, status: 'done', counts: { rechecked: 3, foundOnRecheck: 2, deactivated: 1 } });
    expect((await dirUser(`${p}-2`))!.active).toBe(false);
    expect((await dirUser(`${p}-0`))!.active).toBe(true);
  });

  it("refuses an admin's single-account import in words (507), and takes it once there is room", async () => {
    const p = uniq('fullone');
    const site = await newSite({ adminUser: false, users: [{ uid: 2, name: `${p}-bo` }] });
    const source = await drupalSource(site);
    const refused = await call('POST', `/sources/${source.id}/users/2/import`, {}, FULL);
    expect(refused.status).toBe(507);
    expect(refused.body).toMatchObject({ error: 'database_full' });
    expect(refused.body.message).toMatch(/imports are stopped until there is room/);
    expect(refused.headers.get('retry-after')).toBe('3600');
    expect(await dirUser(`${p}-bo`)).toBeUndefined();
    const taken = await call('POST', `/sources/${source.id}/users/2/import`, {}, 'paid');
    expect(taken.status).toBe(200);
    expect(taken.body.outcome).toBe('created');
  });
});
