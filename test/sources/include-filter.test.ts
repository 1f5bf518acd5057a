/**
 * Accounts the include filter stops taking are removals, not ordinary changes: they count toward
 * the deletion threshold and wait for a full reconciliation's sweep (the fake Drupal site over
 * HTTP). A block on the site stays an ordinary change.
 */
import { describe, expect, it } from 'vitest';
import { api } from '../helpers/api';
import { dirUser, drupalSource, newSite, runSource, uniq } from './support';

describe('include filter and the deletion threshold', () => {
  it('a mistyped role holds the reconciliation instead of deactivating everyone; a block still applies', async () => {
    const p = uniq('typo');
    const site = await newSite({
      adminUser: false,
      users: Array.from({ length: 6 }, (_, i) => ({ uid: i + 2, name: `${p}-${i}`, roles: ['content_editor'] })),
    });
    const source = await drupalSource(site, { settings: { include: { roles: ['content_editor'] }, deletionThreshold: 2 } });
    expect((await runSource(source.id, 'full')).counts.created).toBe(6);

    const patched = await api('PATCH', `/sources/${source.id}`, { settings: { ...source.settings, include: { roles: ['content_editr'], activeOnly: false } } });
    expect(patched.status, patched.text).toBe(200);
    await site.updateUser(7, { status: false, changed: Math.floor(Date.now() / 1000) + 5 });

    // an incremental run leaves excluded accounts to the reconciliation
    const inc = await runSource(source.id, 'incremental');
    expect(inc).toMatchObject({ status: 'done' });
    expect(inc.counts.deactivated).toBe(1);
    expect((await dirUser(`${p}-5`))!.active).toBe(false);
    expect((await dirUser(`${p}-0`))!.active).toBe(true);

    const full = await runSource(source.id, 'full');
    expect(full).toMatchObject({ status: 'held', counts: { held: 5 } });
    expect(full.error).toContain('include filter');
    for (let i = 0; i < 5; i++) expect((await dirUser(`${p}-${i}`))!.active, `${p}-${i}`).toBe(true);

    // the admin fixes the role: nothing was lost
    const fixed = await api('PATCH', `/sources/${source.id}`, { settings: { ...source.settings, include: { roles: ['content_editor'], activeOnly: false } } });
    expect(fixed.status).toBe(200);
    expect((await runSource(source.id, 'full')).status).toBe('done');
    for (let i = 0; i < 5; i++) expect((await dirUser(`${p}-${i}`))!.active).toBe(true);
  });

  it('within the threshold (or approved), the sweep deactivates accounts the filter no longer takes', async () => {
    const p = uniq('narrow');
    const site = await newSite({
      adminUser: false,
      users: [
        { uid: 2, name: `${p}-ed`, roles: ['content_editor'] },
        { uid: 3, name: `${p}-x`, roles: ['content_editor'] },
      ],
    });
    const source = await drupalSource(site, { settings: { include: { roles: ['content_editor'] } } });
    await runSource(source.id, 'full');
    await site.updateUser(3, { roles: [] });
    const full = await runSource(source.id, 'full');
    expect(full).toMatchObject({ status: 'done', counts: { excluded: 1, deactivated: 1 } });
    expect((await dirUser(`${p}-x`))!.active).toBe(false);
    expect((await dirUser(`${p}-ed`))!.active).toBe(true);

    // back in the filter: re-applied and active again
    await site.updateUser(3, { roles: ['content_editor'] });
    expect((await runSource(source.id, 'full')).status).toBe('done');
    expect((await dirUser(`${p}-x`))!.active).toBe(true);
  });
});
