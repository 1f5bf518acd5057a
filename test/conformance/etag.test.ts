/**
 * Versioning: RFC 7644 §3.14 (ETag, If-Match, If-None-Match) with RFC 7643 §3.1 `meta.version`.
 * Design choice asserted: the ETag is weak, `W/"<integer version>"`, and equals meta.version.
 */
import { describe, expect, it } from 'vitest';
import { GROUP_URN, USER_URN, createGroup, createUser, scim } from '../helpers/scim';
import { expectList, expectScimError, expectStatus, getUser, patchBody, qs, serviceProviderConfig, tag } from './support';

const WEAK = /^W\/"\d+"$/;
const stale = (etag: string) => `W/"${Number(etag.match(/\d+/)![0]) + 1000}"`;

describe('RFC 7644 §3.14 ETag and meta.version', () => {
  it('is advertised (etag.supported)', async () => {
    expect((await serviceProviderConfig()).etag?.supported).toBe(true);
  });

  it('GET returns a weak ETag equal to meta.version', async () => {
    const u = await createUser(tag('etag'));
    const res = await scim('GET', `/Users/${u.id}`);
    expectStatus(res, 200);
    expect(res.headers.get('etag')).toMatch(WEAK);
    expect(res.body.meta.version).toBe(res.headers.get('etag'));
  });

  it('every resource of a list carries meta.version', async () => {
    const u = await createUser(tag('etagl'));
    const [only] = expectList(await scim('GET', `/Users${qs({ filter: `id eq "${u.id}"` })}`));
    expect(only.meta.version).toBe(u.meta.version);
  });

  it('the version changes on PUT and on PATCH, and not on GET', async () => {
    const u = await createUser(tag('etagv'));
    const again = await getUser(u.id);
    expect(again.meta.version).toBe(u.meta.version);
    const put = await scim('PUT', `/Users/${u.id}`, { schemas: [USER_URN], userName: u.userName, title: 'A' });
    expectStatus(put, 200);
    expect(put.body.meta.version).not.toBe(u.meta.version);
    const patch = await scim('PATCH', `/Users/${u.id}`, patchBody({ op: 'replace', path: 'title', value: 'B' }));
    expectStatus(patch, 200);
    expect(patch.body.meta.version).not.toBe(put.body.meta.version);
  });

  it('groups have versions too, and a membership change advances it', async () => {
    const g = await createGroup(tag('EG'));
    expect(g.meta.version).toMatch(WEAK);
    const u = await createUser(tag('egm'));
    const res = await scim('PATCH', `/Groups/${g.id}`, patchBody({ op: 'add', path: 'members', value: [{ value: u.id }] }));
    expect(res.status === 200 || res.status === 204).toBe(true);
    const after = await scim('GET', `/Groups/${g.id}`);
    expect(after.body.meta.version).not.toBe(g.meta.version);
    expect(after.headers.get('etag')).toBe(after.body.meta.version);
  });
});

describe('RFC 7644 §3.14 If-None-Match', () => {
  it('GET with the current version is 304 Not Modified with no body', async () => {
    const u = await createUser(tag('inm'));
    const res = await scim('GET', `/Users/${u.id}`, undefined, { headers: { 'if-none-match': u.meta.version } });
    expect(res.status).toBe(304);
    expect(res.text).toBe('');
    // RFC 7232 §4.1: a 304 carries the ETag the 200 would have carried
    expect(res.headers.get('etag')).toBe(u.meta.version);
  });

  it('GET with If-None-Match: * on an existing resource is 304 (RFC 7232 §3.2)', async () => {
    const u = await createUser(tag('inmstar'));
    const res = await scim('GET', `/Users/${u.id}`, undefined, { headers: { 'if-none-match': '*' } });
    expect(res.status).toBe(304);
  });

  it('GET with an old version is 200', async () => {
    const u = await createUser(tag('inm2'));
    const patch = await scim('PATCH', `/Users/${u.id}`, patchBody({ op: 'replace', path: 'title', value: 'New' }));
    expectStatus(patch, 200);
    const res = await scim('GET', `/Users/${u.id}`, undefined, { headers: { 'if-none-match': u.meta.version } });
    expectStatus(res, 200);
    expect(res.body.title).toBe('New');
  });
});

describe('RFC 7644 §3.14 If-Match', () => {
  it('PUT with a stale version is 412 and changes nothing', async () => {
    const u = await createUser(tag('im'));
    const res = await scim(
      'PUT',
      `/Users/${u.id}`,
      { schemas: [USER_URN], userName: u.userName, title: 'X' },
      { headers: { 'if-match': stale(u.meta.version) } },
    );
    expectScimError(res, 412);
    const after = await getUser(u.id);
    expect(after.title).toBeUndefined();
    expect(after.meta.version).toBe(u.meta.version);
  });

  it('PUT with the current version succeeds', async () => {
    const u = await createUser(tag('im2'));
    const res = await scim('PUT', `/Users/${u.id}`, { schemas: [USER_URN], userName: u.userName, title: 'X' }, { headers: { 'if-match': u.meta.version } });
    expectStatus(res, 200);
    expect(res.body.title).toBe('X');
  });

  it('PATCH with a stale version is 412; with the current version it succeeds', async () => {
    const u = await createUser(tag('im3'));
    const bad = await scim('PATCH', `/Users/${u.id}`, patchBody({ op: 'replace', path: 'title', value: 'X' }), {
      headers: { 'if-match': stale(u.meta.version) },
    });
    expectScimError(bad, 412);
    expect((await getUser(u.id)).meta.version).toBe(u.meta.version);
    const good = await scim('PATCH', `/Users/${u.id}`, patchBody({ op: 'replace', path: 'title', value: 'X' }), { headers: { 'if-match': u.meta.version } });
    expectStatus(good, 200);
  });

  it('a version read before a concurrent write is stale afterwards', async () => {
    const u = await createUser(tag('im4'));
    const first = await scim('PATCH', `/Users/${u.id}`, patchBody({ op: 'replace', path: 'title', value: 'first' }), {
      headers: { 'if-match': u.meta.version },
    });
    expectStatus(first, 200);
    const second = await scim('PATCH', `/Users/${u.id}`, patchBody({ op: 'replace', path: 'title', value: 'second' }), {
      headers: { 'if-match': u.meta.version },
    });
    expectScimError(second, 412);
    expect((await getUser(u.id)).title).toBe('first');
  });

  it('DELETE with a stale version is 412 and the user stays; with the current version it is 204', async () => {
    const u = await createUser(tag('im5'));
    expectScimError(await scim('DELETE', `/Users/${u.id}`, undefined, { headers: { 'if-match': stale(u.meta.version) } }), 412);
    expectStatus(await scim('GET', `/Users/${u.id}`), 200);
    expectStatus(await scim('DELETE', `/Users/${u.id}`, undefined, { headers: { 'if-match': u.meta.version } }), 204);
  });

  it('If-Match with a list of ETags succeeds when one of them is current (RFC 7232 §3.1)', async () => {
    const u = await createUser(tag('imlist'));
    const res = await scim('PATCH', `/Users/${u.id}`, patchBody({ op: 'replace', path: 'title', value: 'listed' }), {
      headers: { 'if-match': `${stale(u.meta.version)}, ${u.meta.version}` },
    });
    expectStatus(res, 200);
  });

  it('DELETE on a group honours If-Match', async () => {
    const g = await createGroup(tag('IMD'));
    expectScimError(await scim('DELETE', `/Groups/${g.id}`, undefined, { headers: { 'if-match': stale(g.meta.version) } }), 412);
    expectStatus(await scim('DELETE', `/Groups/${g.id}`, undefined, { headers: { 'if-match': g.meta.version } }), 204);
  });

  it('If-Match: * matches any current version', async () => {
    const u = await createUser(tag('im6'));
    const res = await scim('PATCH', `/Users/${u.id}`, patchBody({ op: 'replace', path: 'title', value: 'any' }), { headers: { 'if-match': '*' } });
    expectStatus(res, 200);
  });

  it('PATCH and PUT on groups honour If-Match', async () => {
    const g = await createGroup(tag('IMG'));
    const bad = await scim('PATCH', `/Groups/${g.id}`, patchBody({ op: 'replace', path: 'displayName', value: tag('x') }), {
      headers: { 'if-match': stale(g.meta.version) },
    });
    expectScimError(bad, 412);
    const badPut = await scim('PUT', `/Groups/${g.id}`, { schemas: [GROUP_URN], displayName: tag('y') }, { headers: { 'if-match': stale(g.meta.version) } });
    expectScimError(badPut, 412);
    const good = await scim('PATCH', `/Groups/${g.id}`, patchBody({ op: 'replace', path: 'displayName', value: tag('z') }), {
      headers: { 'if-match': g.meta.version },
    });
    expectStatus(good, 204);
  });
});

describe('RFC 9110 §13.1.1: 412 only for a precondition the client sent', () => {
  it('16 concurrent PATCHes without If-Match all land (200), none is 412, and each counts one version', async () => {
    const user = await createUser(tag('busy'));
    const before = Number(user.meta.version.match(/\d+/)![0]);
    const results = await Promise.all(
      Array.from({ length: 16 }, (_, i) => scim('PATCH', `/Users/${user.id}`, patchBody({ op: 'replace', path: 'title', value: `title ${i}` }))),
    );
    expect(results.map((r) => r.status)).toEqual(Array.from({ length: 16 }, () => 200));
    const after = await getUser(user.id);
    expect(Number(after.meta.version.match(/\d+/)![0])).toBe(before + 16);
  });

  it('16 concurrent PUTs without If-Match all land too', async () => {
    const user = await createUser(tag('busyput'));
    const results = await Promise.all(
      Array.from({ length: 16 }, (_, i) => scim('PUT', `/Users/${user.id}`, { schemas: [USER_URN], userName: user.userName, title: `title ${i}` })),
    );
    expect(results.map((r) => r.status)).toEqual(Array.from({ length: 16 }, () => 200));
  });
});
