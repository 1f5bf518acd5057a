/**
 * ETags on the target (RFC 7644 §3.14), used when save-and-test learned `etag.supported`: an
 * update or deactivation is sent with If-Match at the version the relay last saw, so a change
 * someone made on the target in between is not overwritten blindly. A 412 means the account
 * moved on: read it again and send once more at the version just read. A second 412 (it keeps
 * changing) is left to the retry policy.
 *
 * The version travels with the link's stored payload as `meta.version` — where SCIM itself puts
 * it (RFC 7643 §3.1) — and is taken off again before the payload is compared with the next one.
 */
import { isObject, type JsonObject } from '../scim/schema/normalize';
import type { Failure } from './failure';
import type { Result, ScimResource } from './scim-client';
import { step, type SyncContext } from './sync-context';

/** The link's stored payload, with the version the target answered when it has one. */
export function storedPayload(payload: JsonObject, version: string | undefined): string {
  if (!version) return JSON.stringify(payload);
  const meta = isObject(payload.meta) ? payload.meta : {};
  return JSON.stringify({ ...payload, meta: { ...meta, version } });
}

/** The last payload the target accepted, and the version it answered with (if stored). */
export function readStoredPayload(text: string | null): { payload: JsonObject | undefined; version: string | undefined } {
  if (!text) return { payload: undefined, version: undefined };
  const stored = JSON.parse(text) as JsonObject;
  if (!isObject(stored.meta) || typeof stored.meta.version !== 'string') return { payload: stored, version: undefined };
  const { version, ...meta } = stored.meta;
  const { meta: _meta, ...rest } = stored;
  return { payload: Object.keys(meta).length > 0 ? { ...rest, meta } : rest, version: version as string };
}

/** The version a response names: its ETag header, else the resource's `meta.version`. */
export function versionOf(result: Result<ScimResource | undefined>): string | undefined {
  if (!result.ok) return undefined;
  if (result.etag) return result.etag;
  const meta = result.value?.meta;
  return isObject(meta) && typeof meta.version === 'string' ? meta.version : undefined;
}

export const usesEtags = (ctx: SyncContext) => ctx.target.capabilities?.etag === true;

/**
 * Sends a write (`send(ifMatch)`) at `version` when the target uses ETags; on 412 re-reads the
 * account and sends once more at the version read. Returns the write's result and the version
 * to store (undefined when the target does not use ETags or did not say).
 */
export async function writeAtVersion<T extends ScimResource | undefined>(
  ctx: SyncContext,
  remoteId: string,
  version: string | undefined,
  send: (ifMatch: string | undefined) => Promise<Result<T>>,
): Promise<{ result: Result<T>; version: string | undefined }> {
  if (!usesEtags(ctx)) return { result: await send(undefined), version: undefined };
  const first = await send(version);
  if (first.ok || first.failure.kind !== 'precondition_failed') return { result: first, version: versionOf(first) };
  step(ctx, { step: 'read', ok: false, httpStatus: 412, detail: 'The account changed on the target since the last sync; reading it again.' });
  const operation = ctx.label.operation;
  ctx.label.operation = 'read';
  const current = await ctx.client.getUser(remoteId);
  ctx.label.operation = operation;
  if (!current.ok) return { result: current, version: undefined };
  step(ctx, { step: 'read', ok: true, httpStatus: current.status, detail: `Read the account again at version ${versionOf(current) ?? '(none given)'}.` });
  const second = await send(versionOf(current));
  if (second.ok || second.failure.kind !== 'precondition_failed') return { result: second, version: versionOf(second) };
  // Changed again between our read and our write: someone is editing it now; try later.
  const again: Failure = {
    kind: 'transient',
    status: 412,
    message: 'The account changed on the target again while it was being updated (412 twice); the relay will try again later.',
  };
  return { result: { ok: false, failure: again }, version: undefined };
}
