import { describe, expect, it } from 'vitest';
import { classify, classifyNetworkError, parseRetryAfter } from '../../../worker/src/provisioning/scim-client/classify';
import { POLICY } from '../../../worker/src/provisioning/failure';

const h = (init: Record<string, string> = {}) => new Headers(init);
const scimBody = (detail: string, scimType?: string) =>
  JSON.stringify({ schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], detail, ...(scimType ? { scimType } : {}) });

describe('classify: every status has a name and a policy', () => {
  it('pauses the target on 401 and 403, saying what to check', () => {
    expect(classify(401, h(), '')).toEqual({ kind: 'fatal', status: 401, message: 'The target refused the token (401): check the bearer token.' });
    const f = classify(403, h(), scimBody('Missing scope users:write'));
    expect(f).toMatchObject({ kind: 'fatal', status: 403 });
    expect(f.message).toContain('Missing scope users:write');
    expect(POLICY[f.kind]).toBe('pause_target');
  });

  it('reads 404 as not found, except on discovery where it means a wrong base URL', () => {
    expect(classify(404, h(), '').kind).toBe('not_found');
    const f = classify(404, h(), '<html>Not Found</html>', { discovery: true });
    expect(f.kind).toBe('fatal');
    expect(f.message).toMatch(/check the base URL/);
  });

  it('reads 409 as a conflict to reconcile', () => {
    const f = classify(409, h(), scimBody('userName is taken', 'uniqueness'));
    expect(f).toEqual({ kind: 'conflict', status: 409, message: 'The target reports a conflict (409): userName is taken.' });
    expect(POLICY[f.kind]).toBe('reconcile');
  });

  it('reads 412 as a precondition failure to reconcile: re-read, then retry once (RFC 7644 §3.14)', () => {
    const f = classify(412, h(), scimBody('version W/"4" does not match W/"3"'));
    expect(f).toEqual({
      kind: 'precondition_failed',
      status: 412,
      message: 'The account changed on the target since the relay last read it (412): version W/"4" does not match W/"3".',
    });
    expect(POLICY[f.kind]).toBe('reconcile');
  });

  it("rejects other 4xx with the target's SCIM detail and scimType (RFC 7644 §3.12)", () => {
    expect(classify(400, h(), scimBody('"emails" is not valid', 'invalidValue'))).toEqual({
      kind: 'rejected',
      status: 400,
      message: 'The target rejected the request (400 invalidValue): "emails" is not valid.',
    });
  });

  it('never quotes a body that is not JSON (an internal page, a stack trace): its content type only', () => {
    const page = 'Internal admin console: db=prod-eu user=root build 4411';
    expect(classify(422, h({ 'content-type': 'text/plain; charset=utf-8' }), page).message).toBe(
      'The target rejected the request (422) (a text/plain body, not shown).',
    );
    expect(classify(500, h(), page).message).toBe('The target failed (500): a non-JSON body, not shown.');
  });

  it('retries 408, 429 and 5xx, honouring Retry-After in seconds or as an HTTP-date', () => {
    expect(classify(429, h({ 'retry-after': '120' }), '')).toEqual({
      kind: 'transient',
      status: 429,
      message: 'The target is rate limiting requests (429); retrying after 120 s.',
      retryAfterSeconds: 120,
    });
    const now = () => Date.parse('2026-01-01T00:00:00Z');
    expect(classify(503, h({ 'retry-after': 'Thu, 01 Jan 2026 00:01:30 GMT' }), '', { now }).retryAfterSeconds).toBe(90);
    expect(classify(408, h(), '').kind).toBe('transient');
    expect(classify(500, h(), scimBody('db down'))).toMatchObject({ kind: 'transient', message: 'The target failed (500): db down.' });
  });

  it("never quotes an HTML error page, and names Cloudflare's edge faults", () => {
    expect(classify(502, h({ 'content-type': 'text/html' }), '<!DOCTYPE html><html><body>Bad gateway</body></html>').message).toBe(
      'The target failed (502): a text/html body, not shown.',
    );
    expect(classify(525, h(), '').message).toBe('TLS handshake failed (525) — check the certificate.');
    expect(classify(530, h(), '').message).toMatch(/DNS/);
  });

  it('treats a redirect as a configuration problem and names where it pointed, without its query', () => {
    const f = classify(301, h({ location: 'https://new.example.com/scim/v2/ServiceProviderConfig?session=abc' }), '');
    expect(f).toEqual({
      kind: 'fatal',
      status: 301,
      message: 'The target redirected the request (301) to https://new.example.com/scim/v2/ServiceProviderConfig: check the base URL.',
    });
  });

  it('clips a very long detail', () => {
    expect(classify(400, h(), scimBody('x'.repeat(1000))).message.length).toBeLessThan(400);
  });
});

describe('parseRetryAfter (RFC 9110 §10.2.3)', () => {
  it('reads delay-seconds and HTTP-dates, never negative, and ignores garbage', () => {
    const now = () => Date.parse('2026-01-01T00:00:00Z');
    expect(parseRetryAfter('5', now)).toBe(5);
    expect(parseRetryAfter('Wed, 31 Dec 2025 23:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
  });
});

describe('classifyNetworkError: faults a server cannot answer with', () => {
  it('names timeouts, DNS, TLS and refused connections, all transient', () => {
    const timeout = new DOMException('The operation was aborted due to timeout', 'TimeoutError');
    expect(classifyNetworkError(timeout, 10_000)).toEqual({ kind: 'transient', message: 'The target did not answer within 10 s.' });
    expect(
      classifyNetworkError(new TypeError('fetch failed', { cause: Object.assign(new Error('getaddrinfo ENOTFOUND x.invalid'), { code: 'ENOTFOUND' }) }), 10_000)
        .message,
    ).toMatch(/DNS/);
    expect(classifyNetworkError(new Error('unable to verify the first certificate'), 10_000).message).toBe('TLS handshake failed — check the certificate.');
    expect(classifyNetworkError(new Error('connect ECONNREFUSED 127.0.0.1:1'), 10_000).message).toMatch(/refused the connection/);
    expect(classifyNetworkError(new Error('Network connection lost.'), 10_000)).toEqual({
      kind: 'transient',
      message: 'The target could not be reached (Network connection lost.).',
    });
  });
});
