/**
 * Errors and transport: RFC 7644 §3.12 (Error message, `status` as a string, scimType per
 * Table 9), §2 (authentication: 401 with WWW-Authenticate, RFC 6750 §3) and §3.8 / §8.1
 * (application/scim+json responses; plain application/json requests accepted).
 */
import { describe, expect, it } from 'vitest';
import { USER_URN, createUser, scim } from '../helpers/scim';
import { expectScimContentType, expectScimError, expectStatus, patchBody, qs, tag } from './support';

describe('RFC 7644 §3.12 error responses', () => {
  it('malformed JSON is 400 invalidSyntax', async () => {
    const res = await scim('POST', '/Users', undefined, { raw: '{"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": ' });
    expectScimError(res, 400, 'invalidSyntax');
    expectScimContentType(res);
  });

  it('a JSON body that is not an object is 400 (invalidSyntax or invalidValue)', async () => {
    for (const raw of ['[]', '"user"', '42', 'null']) {
      expectScimError(await scim('POST', '/Users', undefined, { raw }), 400, ['invalidSyntax', 'invalidValue']);
    }
  });

  it('an invalid filter is 400 invalidFilter', async () => {
    expectScimError(await scim('GET', `/Users${qs({ filter: 'userName eq "unterminated' })}`), 400, 'invalidFilter');
    expectScimError(await scim('GET', `/Users${qs({ filter: 'noSuchAttribute eq "x"' })}`), 400, 'invalidFilter');
  });

  it('a bad PATCH path is 400 invalidPath', async () => {
    const u = await createUser(tag('err'));
    expectScimError(await scim('PATCH', `/Users/${u.id}`, patchBody({ op: 'replace', path: 'emails[type eq', value: 'x' })), 400, 'invalidPath');
  });

  it('a duplicate userName (case-insensitive) is 409 uniqueness', async () => {
    const u = await createUser(tag('ERRdup'));
    expectScimError(await scim('POST', '/Users', { schemas: [USER_URN], userName: u.userName.toLowerCase() }), 409, 'uniqueness');
  });

  it('an unknown id is 404 on every method', async () => {
    const missing = '/Users/00000000-0000-0000-0000-000000000000';
    expectScimError(await scim('GET', missing), 404);
    expectScimError(await scim('PUT', missing, { schemas: [USER_URN], userName: tag('x') }), 404);
    expectScimError(await scim('PATCH', missing, patchBody({ op: 'replace', path: 'title', value: 'x' })), 404);
    expectScimError(await scim('DELETE', missing), 404);
    expectScimError(await scim('GET', '/Groups/00000000-0000-0000-0000-000000000000'), 404);
  });

  it('a wrongly typed value is 400 invalidValue', async () => {
    expectScimError(await scim('POST', '/Users', { schemas: [USER_URN], userName: 42 }), 400, 'invalidValue');
    expectScimError(await scim('POST', '/Users', { schemas: [USER_URN], userName: tag('typ'), active: 'maybe' }), 400, 'invalidValue');
    expectScimError(await scim('POST', '/Users', { schemas: [USER_URN], userName: tag('typ'), name: 'Just A String' }), 400, 'invalidValue');
    expectScimError(await scim('POST', '/Users', { schemas: [USER_URN], userName: tag('typ'), emails: [{ value: { nested: true } }] }), 400, 'invalidValue');
  });

  it('every error carries `status` as a string and a human-readable detail if any', async () => {
    const res = await scim('GET', '/Users/00000000-0000-0000-0000-000000000000');
    expect(typeof res.body.status).toBe('string');
    if (res.body.detail !== undefined) expect(typeof res.body.detail).toBe('string');
  });

  it('an unknown endpoint is 404 with a SCIM error', async () => {
    expectScimError(await scim('GET', '/Printers'), 404);
  });
});

describe('RFC 7644 §2 authentication', () => {
  it('no token: 401 with WWW-Authenticate: Bearer and a SCIM error', async () => {
    const res = await scim('GET', '/Users', undefined, { token: null });
    expectScimError(res, 401);
    expect(res.headers.get('www-authenticate') ?? '').toMatch(/^Bearer/i);
  });

  it('a wrong token: 401 with WWW-Authenticate', async () => {
    const res = await scim('GET', '/Users', undefined, { token: 'not-the-right-token-0000000000000000' });
    expectScimError(res, 401);
    expect(res.headers.get('www-authenticate') ?? '').toMatch(/^Bearer/i);
  });

  it('a non-Bearer Authorization header: 401', async () => {
    const res = await scim('GET', '/Users', undefined, { token: null, headers: { authorization: 'Basic dXNlcjpwYXNz' } });
    expectScimError(res, 401);
  });

  it('every SCIM route requires the token, including writes', async () => {
    expectScimError(await scim('POST', '/Users', { schemas: [USER_URN], userName: tag('anon') }, { token: null }), 401);
    expectScimError(await scim('POST', '/Bulk', { schemas: ['urn:ietf:params:scim:api:messages:2.0:BulkRequest'], Operations: [] }, { token: null }), 401);
    expectScimError(await scim('POST', '/.search', { schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'] }, { token: 'wrong' }), 401);
  });
});

describe('RFC 7644 §3.8 media types', () => {
  it('responses are application/scim+json', async () => {
    const u = await createUser(tag('ct'));
    expectScimContentType(await scim('GET', `/Users/${u.id}`));
    expectScimContentType(await scim('GET', '/Users?count=1'));
    expectScimContentType(await scim('GET', '/ServiceProviderConfig'));
  });

  it('accepts requests sent as application/json', async () => {
    const res = await scim('POST', '/Users', { schemas: [USER_URN], userName: tag('json') }, { headers: { 'content-type': 'application/json' } });
    expectStatus(res, 201);
    expectScimContentType(res);
    const patch = await scim('PATCH', `/Users/${res.body.id}`, patchBody({ op: 'replace', path: 'title', value: 'x' }), {
      headers: { 'content-type': 'application/json; charset=utf-8' },
    });
    expectStatus(patch, 200);
  });

  it('accepts application/scim+json with a charset parameter', async () => {
    const res = await scim(
      'POST',
      '/Users',
      { schemas: [USER_URN], userName: tag('cs') },
      { headers: { 'content-type': 'application/scim+json; charset=utf-8' } },
    );
    expectStatus(res, 201);
  });

  it('answers an Accept: application/json client', async () => {
    const res = await scim('GET', '/Users?count=1', undefined, { headers: { accept: 'application/json' } });
    expectStatus(res, 200);
  });
});
