/**
 * Group displayNames are unique (Entra ID matches groups by name), so the importer must not fold
 * two sources' roles of one name into a single group that only one of them maintains: the second
 * source gets its own group, named after it. A group an IdP made is still joined by name.
 */
import { describe, expect, it } from 'vitest';
import { createGroup } from '../helpers/scim';
import { dirUser, drupalSource, newSite, runSource, uniq } from './support';

describe('role groups of two sources with the same role name', () => {
  it('do not collide: the second source makes "<role> (<source name>)" and keeps it on later runs', async () => {
    const p = uniq('rg');
    const role = `${p}_editor`;
    const siteA = await newSite({ adminUser: false, users: [{ uid: 2, name: `${p}-ann`, mail: `${p}-ann@x.org`, roles: [role] }] });
    const siteB = await newSite({ adminUser: false, users: [{ uid: 2, name: `${p}-bea`, mail: `${p}-bea@x.org`, roles: [role] }] });
    const a = await drupalSource(siteA);
    const b = await drupalSource(siteB);
    expect((await runSource(a.id, 'full')).status).toBe('done');
    const runB = await runSource(b.id, 'full');
    expect(runB.status).toBe('done');
    expect(runB.counts.groupsFailed ?? 0).toBe(0);
    expect((await dirUser(`${p}-ann`))!.groups).toEqual([role]);
    expect((await dirUser(`${p}-bea`))!.groups).toEqual([`${role} (${b.name})`]);
    // The next run finds its own group by externalId, not a third one.
    expect((await runSource(b.id, 'full')).status).toBe('done');
    expect((await dirUser(`${p}-bea`))!.groups).toEqual([`${role} (${b.name})`]);
  });

  it('a group an IdP made with the role name is still joined, not duplicated', async () => {
    const p = uniq('idp');
    const role = `${p}_viewer`;
    await createGroup(role);
    const site = await newSite({ adminUser: false, users: [{ uid: 2, name: `${p}-cy`, mail: `${p}-cy@x.org`, roles: [role] }] });
    const source = await drupalSource(site);
    expect((await runSource(source.id, 'full')).status).toBe('done');
    expect((await dirUser(`${p}-cy`))!.groups).toEqual([role]);
  });
});
