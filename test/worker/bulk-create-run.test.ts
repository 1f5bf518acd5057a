/**
 * /Bulk writes a run of consecutive creates in one D1 batch. The answers must be what creating
 * them one at a time would give: an invalid one fails alone, a duplicate userName in the run is
 * a 409 for that operation only, and bulkId references still resolve.
 */
import { describe, expect, it } from 'vitest';
import { BULK_REQUEST_URN, USER_URN, scim } from '../helpers/scim';

const post = (bulkId: string, data: Record<string, unknown>) => ({ method: 'POST', path: '/Users', bulkId, data: { schemas: [USER_URN], ...data } });

describe('a run of creates in one Bulk request', () => {
  it('fails only the invalid operation and creates the rest', async () => {
    const res = await scim('POST', '/Bulk', {
      schemas: [BULK_REQUEST_URN],
      Operations: [post('a', { userName: 'run-a@bulk.test' }), post('b', { userName: 42 }), post('c', { userName: 'run-c@bulk.test' })],
    });
    expect(res.status).toBe(200);
    expect(res.body.Operations.map((o: { status: string }) => o.status)).toEqual(['201', '400', '201']);
    expect(res.body.Operations[1].response.scimType).toBe('invalidValue');
    const found = await scim('GET', `/Users?filter=${encodeURIComponent('userName sw "run-"')}`);
    expect(found.body.totalResults).toBe(2);
  });

  it('answers a duplicate userName inside the run with 409 for that operation only', async () => {
    const res = await scim('POST', '/Bulk', {
      schemas: [BULK_REQUEST_URN],
      Operations: [
        post('a', { userName: 'dup@bulk.test' }),
        post('b', { userName: 'other@bulk.test' }),
        post('c', { userName: 'DUP@bulk.test' }),
        post('d', { userName: 'last@bulk.test' }),
      ],
    });
    expect(res.body.Operations.map((o: { status: string }) => o.status)).toEqual(['201', '201', '409', '201']);
    expect(res.body.Operations[2].response.scimType).toBe('uniqueness');
  });

  it('still resolves bulkId references from a group to users created in the run', async () => {
    const res = await scim('POST', '/Bulk', {
      schemas: [BULK_REQUEST_URN],
      Operations: [
        post('u1', { userName: 'ref1@bulk.test' }),
        post('u2', { userName: 'ref2@bulk.test' }),
        {
          method: 'POST',
          path: '/Groups',
          bulkId: 'g',
          data: { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: 'refs', members: [{ value: 'bulkId:u1' }, { value: 'bulkId:u2' }] },
        },
      ],
    });
    expect(res.body.Operations.map((o: { status: string }) => o.status)).toEqual(['201', '201', '201']);
    const group = await scim('GET', res.body.Operations[2].location);
    expect(group.body.members.map((m: { display: string }) => m.display).sort()).toEqual(['ref1@bulk.test', 'ref2@bulk.test']);
  });
});
