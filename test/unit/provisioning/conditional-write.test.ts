/**
 * ETags on the target (RFC 7644 §3.14): If-Match at the version last seen, a 412 re-read and one
 * retry at the version read, and the version kept with the link's stored payload. The end-to-end
 * test against relay B is in test/e2e/provisioning-relay.test.ts; here, the shapes a real server
 * will not produce on demand (412 twice in a row).
 */
import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import type { Target } from '../../../shared/src';
import { readStoredPayload, storedPayload, writeAtVersion } from '../../../worker/src/provisioning/conditional-write';
import { createSyncContext } from '../../../worker/src/provisioning/sync-context';
import { scim, scimError, stubFetch, type Answer } from '../scim-client/stub-fetch';

const user = (version: number) => ({
  schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
  id: 'r-1',
  userName: 'ada',
  meta: { resourceType: 'User', version: `W/"${version}"` },
});
const OPS = [{ op: 'replace' as const, path: 'title', value: 'Countess' }];

function setup(etag: boolean, ...answers: Answer[]) {
  const stub = stubFetch(...answers);
  const target = {
    id: 't-1',
    name: 'etag target',
    baseUrl: 'https://app.example.com/scim/v2',
    capabilities: { patch: true, bulk: false, bulkMaxOperations: null, filter: true, etag, checkedAt: '2026-01-01T00:00:00.000Z' },
    dryRun: false,
    scope: { kind: 'all' },
  } as unknown as Target;
  const ctx = createSyncContext({
    db: env.DB,
    target,
    token: 'tok',
    operations: { create: true, update: true, deactivate: true, delete: false },
    runId: null,
    fetch: stub.fetch,
  });
  ctx.label.operation = 'update';
  const patch = (ifMatch: string | undefined) => ctx.client.patchUser('r-1', OPS, ifMatch ? { ifMatch } : undefined);
  return { ctx, requests: stub.requests, patch };
}

describe('writeAtVersion', () => {
  it('sends If-Match at the stored version and returns the version answered', async () => {
    const { ctx, requests, patch } = setup(true, scim(200, user(4), { etag: 'W/"4"' }));
    const out = await writeAtVersion(ctx, 'r-1', 'W/"3"', patch);
    expect(out.result.ok).toBe(true);
    expect(out.version).toBe('W/"4"');
    expect(requests.map((r) => [r.method, r.headers['if-match']])).toEqual([['PATCH', 'W/"3"']]);
  });

  it('on 412 reads the account again and sends once more at the version read', async () => {
    const { ctx, requests, patch } = setup(
      true,
      scimError(412, 'version mismatch'),
      scim(200, user(7), { etag: 'W/"7"' }),
      scim(200, user(8), { etag: 'W/"8"' }),
    );
    const out = await writeAtVersion(ctx, 'r-1', 'W/"3"', patch);
    expect(out).toMatchObject({ result: { ok: true, status: 200 }, version: 'W/"8"' });
    expect(requests.map((r) => `${r.method} ${r.headers['if-match'] ?? '-'}`)).toEqual(['PATCH W/"3"', 'GET -', 'PATCH W/"7"']);
    // Every request leaves an audit event: the 412, the re-read (as a read), the retry.
    expect(ctx.audit.map((e) => [e.operation, e.method, e.httpStatus, e.outcome])).toEqual([
      ['update', 'PATCH', 412, 'precondition_failed'],
      ['read', 'GET', 200, 'ok'],
      ['update', 'PATCH', 200, 'ok'],
    ]);
    expect(ctx.steps.map((s) => s.detail)).toEqual([
      'The account changed on the target since the last sync; reading it again.',
      'Read the account again at version W/"7".',
    ]);
  });

  it('takes the version from meta.version when the response has no ETag header', async () => {
    const { ctx, requests, patch } = setup(true, scimError(412, 'moved'), scim(200, user(9)), scim(200, user(10)));
    const out = await writeAtVersion(ctx, 'r-1', 'W/"3"', patch);
    expect(requests[2]!.headers['if-match']).toBe('W/"9"');
    expect(out.version).toBe('W/"10"');
  });

  it('gives up after a second 412 with a transient failure, so the row is retried later', async () => {
    const { ctx, requests, patch } = setup(true, scimError(412, 'moved'), scim(200, user(7)), scimError(412, 'moved again'));
    const out = await writeAtVersion(ctx, 'r-1', 'W/"3"', patch);
    expect(requests).toHaveLength(3);
    expect(out.result).toMatchObject({ ok: false, failure: { kind: 'transient', status: 412 } });
    expect(out.result.ok ? '' : out.result.failure.message).toMatch(/changed on the target again/);
  });

  it('passes other failures through untouched (a 404 still reconciles by matching again)', async () => {
    const { ctx, requests, patch } = setup(true, scimError(404, 'gone'));
    const out = await writeAtVersion(ctx, 'r-1', 'W/"3"', patch);
    expect(requests).toHaveLength(1);
    expect(out.result).toMatchObject({ ok: false, failure: { kind: 'not_found' } });
  });

  it('sends no If-Match, and keeps no version, when the target does not advertise ETags', async () => {
    const { ctx, requests, patch } = setup(false, scim(200, user(4), { etag: 'W/"4"' }));
    const out = await writeAtVersion(ctx, 'r-1', 'W/"3"', patch);
    expect(requests[0]!.headers).not.toHaveProperty('if-match');
    expect(out.version).toBeUndefined();
  });
});

describe('the stored payload carries the version as meta.version (RFC 7643 §3.1)', () => {
  it('round-trips, and the payload read back has no trace of it', () => {
    const payload = { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: 'ada', title: 'Countess' };
    const stored = storedPayload(payload, 'W/"3"');
    expect(JSON.parse(stored)).toEqual({ ...payload, meta: { version: 'W/"3"' } });
    expect(readStoredPayload(stored)).toEqual({ payload, version: 'W/"3"' });
    expect(readStoredPayload(storedPayload(payload, undefined))).toEqual({ payload, version: undefined });
    expect(readStoredPayload(null)).toEqual({ payload: undefined, version: undefined });
  });
});
