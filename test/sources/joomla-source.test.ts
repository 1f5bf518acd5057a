/**
 * A Joomla site as an import source, end to end: the fake site (test/support/joomla-site, built
 * from the real captures) → the relay's directory, with Joomla's own quirks — `block` as the
 * active flag, group titles as groups, paging by offset in a fixed order by name with no total
 * (boundaries that shift when someone is deleted mid-run), the Accept header, a 401 that never
 * says why — and the guard rails every source keeps.
 */
import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { runImports } from '../../worker/src/sources/importer';
import { api } from '../helpers/api';
import { eventually } from '../helpers/eventually';
import { onB, targetToB } from '../support/on-relay-b';
import { joomlaDelete, joomlaSource, newJoomlaSite } from './cms-support';
import { dirUser, pageSizeOf, runSource, runSourceToEnd, uniq } from './support';

/**
 * A run stopped after its first page: the page answers after SLOW_PAGE_MS, past the run's
 * SHORT_BUDGET_MS deadline (with room before it for the run's start on a loaded machine).
 */
const SLOW_PAGE_MS = 2500;
const SHORT_BUDGET_MS = 1200;
/** Joomla's page under this profile: 100 on Paid, 11 on Free (limits/cpu.ts); where a page ends is what these tests shift. */
const PAGE = pageSizeOf('joomla-webservices');

const users = (p: string, n: number, from = 600) =>
  Array.from({ length: n }, (_, i) => ({
    id: from + i,
    name: `${p} ${String(i).padStart(3, '0')}`,
    username: `${p}-u${i}`,
    email: `${p}-u${i}@joomla.test`,
    groups: [2],
  }));

describe('Joomla → relay A → relay B', () => {
  it('an import is provisioned to relay B right after it; a block on the site is deactivated there', async () => {
    const p = uniq('job');
    const site = await newJoomlaSite(p, { users: [{ id: 600, name: 'Ann', username: `${p}-ann`, email: `${p}-ann@joomla.test`, groups: [2] }] });
    // Only what this test imports: no initial sync of the users earlier tests left in the directory.
    await targetToB(
      `B joomla ${p}`,
      { automatic: { enabled: true, operations: { create: true, update: true, deactivate: true, delete: false } } },
      { initialSync: false },
    );
    const source = await joomlaSource(site);
    expect((await runSource(source.id, 'full')).status).toBe('done');
    expect(
      await eventually(
        () => onB(`${p}-ann`),
        (u) => u !== undefined,
      ),
    ).toMatchObject({ userName: `${p}-ann`, active: true });

    await site.updateUser(600, { block: true });
    expect((await runSource(source.id, 'incremental')).counts.deactivated).toBe(1);
    expect(
      await eventually(
        () => onB(`${p}-ann`),
        (u) => u?.active === false,
      ),
    ).toMatchObject({ active: false });
  });
});

describe('Joomla as a source', () => {
  it('imports users with their email and groups, a blocked user as deactivated; an unchanged re-run writes nothing', async () => {
    const p = uniq('jo');
    const site = await newJoomlaSite(p, {
      users: [
        { id: 600, name: 'Ed', username: `${p}-ed`, email: `${p}-ed@joomla.test`, groups: [4, 3] },
        { id: 601, name: 'Bo', username: `${p}-bo`, email: `${p}-bo@joomla.test`, block: true },
      ],
    });
    const source = await joomlaSource(site);

    const full = await runSource(source.id, 'full');
    expect(full).toMatchObject({ kind: 'full', status: 'done', error: null, counts: { read: 3, created: 3 } });
    expect(await dirUser(`${p}-ed`)).toMatchObject({ active: true, externalId: '600', emails: [`${p}-ed@joomla.test`], groups: ['Author', 'Editor'] });
    expect((await dirUser(`${p}-bo`))!.active).toBe(false);
    expect((await site.requests()).every((r) => r.accept === 'application/vnd.api+json')).toBe(true);

    const again = await runSource(source.id, 'incremental');
    expect(again).toMatchObject({ kind: 'incremental', status: 'done', counts: { read: 3, unchanged: 3 } });
    expect((again.counts.created ?? 0) + (again.counts.updated ?? 0)).toBe(0);

    await site.updateUser(600, { block: true });
    await site.updateUser(601, { block: false });
    const inc = await runSource(source.id, 'incremental');
    expect(inc.counts).toMatchObject({ deactivated: 1 });
    expect((await dirUser(`${p}-ed`))!.active).toBe(false);
    expect((await dirUser(`${p}-bo`))!.active).toBe(true);
  });

  it('an account deleted during a run shifts the offsets; the one the pass skipped is re-read by id and stays active', async () => {
    const p = uniq('joshift');
    const site = await newJoomlaSite(p, { users: users(p, PAGE + 50) });
    const source = await joomlaSource(site);
    expect((await runSourceToEnd(source.id, 'full', PAGE + 51)).status).toBe('done');

    // The first page is slow: the run's time runs out after it and it stops, to continue later.
    await site.faults([{ match: { method: 'GET', path: '/v1/users' }, delayMs: SLOW_PAGE_MS, times: 1 }]);
    const first = await runImports(env, {
      budget: { requests: 10_000, deadline: Date.now() + SHORT_BUDGET_MS, queries: 10_000, pool: Number.POSITIVE_INFINITY },
      sourceIds: [source.id],
      force: 'full',
    });
    expect(first[0]).toMatchObject({ status: 'running', counts: { pages: 1 } });
    // Someone on page one is deleted meanwhile: everyone after moves up one row, and the row
    // that crossed the boundary is on neither page the run reads.
    await joomlaDelete(site, [600]);
    const rest = await runImports(env, {
      budget: { requests: 10_000, deadline: Date.now() + 60_000, queries: 10_000, pool: Number.POSITIVE_INFINITY },
      sourceIds: [source.id],
    });
    expect(rest[0]).toMatchObject({ status: 'done' });
    // u100 (Paid; u11 on Free) moved up onto page one, which was already read: missed by the pass, found by id
    expect(rest[0]!.counts).toMatchObject({ rechecked: 1, foundOnRecheck: 1 });
    expect(rest[0]!.counts.deactivated ?? 0).toBe(0);
    for (const i of [1, PAGE - 1, PAGE, PAGE + 1, PAGE + 49]) expect((await dirUser(`${p}-u${i}`))!.active).toBe(true);
    // u0 was seen before it was deleted: the next reconciliation re-reads it by id and finds it gone
    expect((await runSourceToEnd(source.id, 'full', PAGE + 51)).counts).toMatchObject({ rechecked: 1, deactivated: 1 });
    expect((await dirUser(`${p}-u0`))!.active).toBe(false);
  });

  it('an offset past a listing that shrank during the run ends the pass; the plugin switched off does not', async () => {
    const p = uniq('joshrink');
    // a page and one account more, with the admin: the second page holds two
    const site = await newJoomlaSite(p, { users: users(p, PAGE + 1) });
    const source = await joomlaSource(site);
    expect((await runSourceToEnd(source.id, 'full', PAGE + 2)).status).toBe('done');

    await site.faults([{ match: { method: 'GET', path: '/v1/users' }, delayMs: SLOW_PAGE_MS, times: 1 }]);
    expect(
      (
        await runImports(env, {
          budget: { requests: 10_000, deadline: Date.now() + SHORT_BUDGET_MS, queries: 10_000, pool: Number.POSITIVE_INFINITY },
          sourceIds: [source.id],
          force: 'full',
        })
      )[0],
    ).toMatchObject({ status: 'running' });
    // 101 → 99 accounts on Paid (12 → 10 on Free), and the admin: page two (offset PAGE) is now past the end, Joomla's 404
    await joomlaDelete(site, [600, 601]);
    const rest = (
      await runImports(env, {
        budget: { requests: 10_000, deadline: Date.now() + 60_000, queries: 10_000, pool: Number.POSITIVE_INFINITY },
        sourceIds: [source.id],
      })
    )[0]!;
    // the pass ended at Joomla's 404; u100 (u11 on Free) and the admin, moved onto the page already read, are found by id
    expect(rest).toMatchObject({ status: 'done', counts: { pages: 2, foundOnRecheck: 2 } });
    expect(rest.counts.deactivated ?? 0).toBe(0);
    expect((await dirUser(`${p}-u${PAGE}`))!.active).toBe(true);

    // two pages again; the plugin goes off between them: the same 404, but the probe tells
    await site.addUsers(users(p, 5, 700).map((u) => ({ ...u, username: `${u.username}-more` })));
    await site.faults([{ match: { method: 'GET', path: '/v1/users' }, delayMs: SLOW_PAGE_MS, times: 1 }]);
    expect(
      (
        await runImports(env, {
          budget: { requests: 10_000, deadline: Date.now() + SHORT_BUDGET_MS, queries: 10_000, pool: Number.POSITIVE_INFINITY },
          sourceIds: [source.id],
          force: 'full',
        })
      )[0],
    ).toMatchObject({ status: 'running', counts: { pages: 1 } });
    await site.settings({ usersPlugin: false });
    const off = (
      await runImports(env, {
        budget: { requests: 10_000, deadline: Date.now() + 60_000, queries: 10_000, pool: Number.POSITIVE_INFINITY },
        sourceIds: [source.id],
      })
    )[0]!;
    expect(off.status).toBe('failed');
    expect(off.error).toContain('Web Services - Users');
    expect((await dirUser(`${p}-u5`))!.active).toBe(true);
  });

  it('a wrong token fails the run and pauses the source with what to check', async () => {
    const p = uniq('jobad');
    const site = await newJoomlaSite(p, { users: users(p, 2) });
    const source = await joomlaSource(site, {}, { type: 'bearer', token: 'c2hhMjU2OjU2MDpub3BlCg==' });
    const run = await runSource(source.id, 'full');
    expect(run.status).toBe('failed');
    expect(run.error).toContain('Joomla refused the credentials (401)');
    expect(run.error).toContain('Super User');
    expect((await api('GET', `/sources/${source.id}`)).body).toMatchObject({ status: 'paused' });
    expect(await dirUser(`${p}-u0`)).toBeUndefined();
  });

  it('Save and test says in words what works, and what is wrong: the token, the token of a non-Super User, the users plugin off', async () => {
    const p = uniq('jotest');
    const site = await newJoomlaSite(p, {
      users: [{ id: 600, name: 'Mgr', username: `${p}-mgr`, email: `${p}-mgr@joomla.test`, groups: [6, 8], token: true }],
    });
    const good = await api('POST', `/sources/${(await joomlaSource(site)).id}/test`);
    expect(good.body.ok, JSON.stringify(good.body)).toBe(true);
    expect(good.body.steps.find((s: { step: string }) => s.step === 'account').detail).toContain('Super User');

    const wrong = await api('POST', `/sources/${(await joomlaSource(site, {}, { type: 'bearer', token: 'bogus' })).id}/test`);
    expect(wrong.body.ok).toBe(false);
    expect(wrong.body.problems[0]).toContain('401');

    // a manager whose token the site was configured to accept, but who is no Super User
    await site.settings({ tokenGroups: [6, 8] });
    await site.updateUser(600, { groups: [6] });
    const manager = await api('POST', `/sources/${(await joomlaSource(site, {}, { type: 'bearer', token: site.tokens['600']! })).id}/test`);
    expect(manager.body.ok).toBe(false);
    expect(manager.body.problems.join(' ')).toContain('not a Super User');

    await site.settings({ usersPlugin: false });
    const off = await api('POST', `/sources/${(await joomlaSource(site)).id}/test`);
    expect(off.body.ok).toBe(false);
    expect(off.body.problems[0]).toContain('Web Services - Users');
  });

  it('a listing that fails, comes back empty or cut short deactivates nobody; the deletion threshold holds', async () => {
    const p = uniq('joguard');
    const site = await newJoomlaSite(p, { users: users(p, 4) });
    const source = await joomlaSource(site, { settings: { deletionThreshold: 1 } });
    expect((await runSource(source.id, 'full')).status).toBe('done');

    await site.faults([
      { match: { method: 'GET', path: '/v1/users' }, respond: { status: 500, body: { errors: [{ title: 'Internal server error', code: 500 }] } }, times: 1 },
    ]);
    expect((await runSource(source.id, 'full')).error).toContain('Joomla answered 500');
    await site.faults([
      {
        match: { method: 'GET', path: '/v1/users' },
        respond: { status: 200, headers: { 'content-type': 'application/vnd.api+json' }, body: { data: [], links: {}, meta: { 'total-pages': 0 } } },
        times: 1,
      },
    ]);
    expect((await runSource(source.id, 'full')).error).toContain('nothing was deactivated');
    await site.faults([
      {
        match: { method: 'GET', path: '/v1/users' },
        respond: {
          status: 200,
          headers: { 'content-type': 'application/vnd.api+json' },
          body: {
            data: [{ type: 'users', id: '600', attributes: { username: `${p}-u0`, email: `${p}-u0@joomla.test`, block: 0, group_names: 'Registered' } }],
            links: {},
            meta: { 'total-pages': 2 },
          },
        },
        times: 3,
      },
    ]);
    expect((await runSource(source.id, 'full')).error).toContain('cut short');
    await site.clearFaults();

    await joomlaDelete(site, [600, 601, 602]);
    expect(await runSource(source.id, 'full')).toMatchObject({ status: 'held', counts: { held: 3 } });
    for (const i of [0, 1, 2, 3]) expect((await dirUser(`${p}-u${i}`))!.active).toBe(true);
  });
});
