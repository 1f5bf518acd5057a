/**
 * End to end: a Drupal site's listing → relay A's directory → relay B (a real second relay as
 * the SCIM target), in the scheduled, automatic and manual modes; and relay B as a SCIM source.
 */
import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { parseLimits } from '../../worker/src/limits/profile';
import { api } from '../helpers/api';
import { eventually } from '../helpers/eventually';
import { relayB, runCron, scimB } from '../support/e2e';
import { onB, targetToB } from '../support/on-relay-b';
import { dirUser, drupalSource, newSite, runSource, runSourceToEnd, uniq } from './support';

const ops = { create: true, update: true, deactivate: true, delete: false };

describe('Drupal → relay A → relay B', () => {
  it('scheduled: the cron imports the site and provisions the people to relay B (one tick on Paid); a block follows', async () => {
    const p = uniq('cron');
    const site = await newSite({
      adminUser: false,
      users: [
        { uid: 2, name: `${p}-ann`, mail: `${p}-ann@x.org` },
        { uid: 3, name: `${p}-bob`, mail: `${p}-bob@x.org` },
      ],
    });
    const target = await targetToB(`B ${p}`, { scheduled: { enabled: true, intervalMinutes: 1, operations: ops } });
    const source = await drupalSource(site);

    // One tick on Paid. A Free tick holds about one kind of work, and the kinds take turns going
    // first a minute at a time (cron-order.ts): ticks a minute apart until the dispatch follows the import.
    const ticks = parseLimits(env.RELAY_LIMITS).name === 'paid' ? 1 : 4;
    for (let i = 0, t = Date.now(); i < ticks && !(await onB(`${p}-bob`)); i++) {
      // each tick a minute on: the scheduled target (every minute) is due again
      await env.DB.prepare('UPDATE targets SET last_scheduled_at = NULL WHERE id = ?').bind(target.id).run();
      await runCron(undefined, t + i * 60_000);
    }
    expect((await api('GET', `/sources/${source.id}`)).body).toMatchObject({ running: false, lastError: null });
    const ann = await onB(`${p}-ann`);
    expect(ann).toMatchObject({ userName: `${p}-ann`, active: true, emails: [expect.objectContaining({ value: `${p}-ann@x.org` })] });
    expect(await onB(`${p}-bob`)).toBeDefined();

    // Drupal blocks bob; the next import and the next due scheduled run carry it to relay B.
    await site.updateUser(3, { status: false, changed: Math.floor(Date.now() / 1000) + 2 });
    expect((await runSource(source.id, 'incremental')).counts.deactivated).toBe(1);
    await api('POST', `/targets/${target.id}/run`, { mode: 'scheduled' });
    expect((await onB(`${p}-bob`)).active).toBe(false);
    expect((await onB(`${p}-ann`)).active).toBe(true);
  });

  it('automatic: an import run is provisioned right after it; manual: provision the imported user', async () => {
    const p = uniq('auto');
    const site = await newSite({ adminUser: false, users: [{ uid: 5, name: `${p}-cy` }] });
    await targetToB(`B auto ${p}`, { automatic: { enabled: true, operations: ops } });
    const source = await drupalSource(site);
    await runSource(source.id, 'full');
    expect(
      await eventually(
        () => onB(`${p}-cy`),
        (u) => u !== undefined,
      ),
    ).toMatchObject({ userName: `${p}-cy`, active: true });

    const q = uniq('manual');
    const site2 = await newSite({ adminUser: false, users: [{ uid: 6, name: `${q}-di` }] });
    const manual = await targetToB(`B manual ${q}`, { manual: { enabled: true, operations: ops } });
    const source2 = await drupalSource(site2);
    const imported = await api('POST', `/sources/${source2.id}/users/6/import`);
    expect(imported.body.outcome).toBe('created');
    const provisioned = await api('POST', `/users/${imported.body.user.id}/provision`, { targetIds: [manual.id] });
    expect(provisioned.body.results[0]).toMatchObject({ ok: true, action: expect.stringMatching(/create|link/) });
    expect(await onB(`${q}-di`)).toBeDefined();
  });
});

describe('relay B as a SCIM source', () => {
  it('imports users and their groups, then changes by meta.lastModified', async () => {
    const p = uniq('scimsrc');
    const made: string[] = [];
    for (const n of ['eve', 'fay']) {
      const res = await scimB('POST', '/Users', {
        schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
        userName: `${p}-${n}`,
        emails: [{ value: `${p}-${n}@b.org`, type: 'work', primary: true }],
      });
      expect(res.status, res.text).toBe(201);
      made.push(res.body.id);
    }
    const group = await scimB('POST', '/Groups', {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'],
      displayName: `${p}-staff`,
      members: made.map((value) => ({ value })),
    });
    expect(group.status, group.text).toBe(201);

    // Only members of the group: relay B is shared with other tests.
    const res = await api('POST', '/sources', {
      name: `B ${p}`,
      kind: 'scim',
      baseUrl: relayB.scimUrl,
      credentials: { type: 'bearer', token: relayB.token },
      settings: { include: { roles: [`${p}-staff`] } },
    });
    expect(res.status, res.text).toBe(201);
    const test = await api('POST', `/sources/${res.body.id}/test`);
    expect(test.body.ok).toBe(true);

    // Relay B holds every test's users, and the include filter is applied to what is read: on Free
    // reading them all takes more than one invocation, each continuing the import.
    const full = await runSourceToEnd(res.body.id, 'full');
    expect(full).toMatchObject({ status: 'done' });
    expect(full.counts.created).toBe(2);
    expect(await dirUser(`${p}-eve`)).toMatchObject({ active: true, externalId: made[0], emails: [`${p}-eve@b.org`], groups: [`${p}-staff`] });

    await new Promise((r) => setTimeout(r, 1100));
    const patched = await scimB('PATCH', `/Users/${made[1]}`, {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [{ op: 'replace', path: 'active', value: false }],
    });
    expect(patched.status, patched.text).toBe(200);
    const inc = await runSourceToEnd(res.body.id, 'incremental');
    expect(inc).toMatchObject({ kind: 'incremental', status: 'done' });
    expect(inc.counts.deactivated).toBe(1);
    expect(inc.counts.read).toBeLessThan(full.counts.read);
    expect((await dirUser(`${p}-fay`))!.active).toBe(false);
  });
});
