/**
 * GET /api/v1/groups: the directory's groups for the console's scope picker (issue #13), by a
 * displayName prefix or an exact id / externalId, with their direct member counts.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { api } from '../helpers/api';
import { createGroup, createUser } from '../helpers/scim';

let staff: any;
let contractors: any;

beforeAll(async () => {
  const ann = await createUser('groups.ann');
  const ben = await createUser('groups.ben');
  staff = await createGroup('Picker Staff', { externalId: 'ext-picker-staff', members: [{ value: ann.id }, { value: ben.id }] });
  contractors = await createGroup('Picker Contractors', { members: [{ value: ben.id }, { value: staff.id }] });
  await createGroup('Elsewhere');
});

describe('GET /api/v1/groups', () => {
  it('finds groups by a case-insensitive displayName prefix, ordered by name, with their direct member counts', async () => {
    const res = await api('GET', '/groups?q=picker');
    expect(res.status).toBe(200);
    expect(res.body.items).toEqual([
      { id: contractors.id, displayName: 'Picker Contractors', externalId: null, members: 2 },
      { id: staff.id, displayName: 'Picker Staff', externalId: 'ext-picker-staff', members: 2 },
    ]);
  });

  it('finds a group by its exact id or externalId', async () => {
    expect((await api('GET', `/groups?q=${staff.id}`)).body.items.map((g: any) => g.id)).toEqual([staff.id]);
    expect((await api('GET', '/groups?q=ext-picker-staff')).body.items.map((g: any) => g.id)).toEqual([staff.id]);
  });

  it('lists every group up to the limit without a query', async () => {
    const res = await api('GET', '/groups?limit=2');
    expect(res.status).toBe(200);
    expect(res.body.items).toHaveLength(2);
  });

  it('refuses a limit out of range and an unknown parameter with their key paths', async () => {
    const bad = await api('GET', '/groups?limit=0');
    expect(bad.status).toBe(400);
    expect(bad.body.issues.map((i: any) => i.path)).toContain('limit');
    const stray = await api('GET', '/groups?filter=x');
    expect(stray.status).toBe(400);
  });
});
