/**
 * One linked user as the target holds it: compared with the directory (compare-user.ts); on
 * drift, what the target holds becomes the link's last-confirmed payload (and hash), so the
 * sync engine sees the difference from desired state and sends exactly that.
 */
import { type LinkedUser, observeLinkStatement } from '../../db/reconcile';
import type { JsonObject } from '../../scim/schema/normalize';
import { isObject } from '../../scim/schema/normalize';
import { storedPayload } from '../conditional-write';
import { payloadHash } from '../mapping';
import { canRepair, recordDrift, type ReconcileContext } from './context';
import { compareUser, mapsActive } from './compare-user';

export async function observeUser(ctx: ReconcileContext, link: LinkedUser, remote: JsonObject): Promise<D1PreparedStatement[]> {
  // Gone from the directory (the sync engine deletes it), deleted by us, or out of the target's
  // scope (deactivated by the engine, issue #13): not drift.
  if (link.data === null || link.remoteState === 'deleted' || link.state === 'out_of_scope') return [];
  const user: JsonObject = { id: link.resourceId, ...(JSON.parse(link.data) as JsonObject) };
  const drift = compareUser(ctx.target.mapping, user, remote);
  if (!drift) return [];
  const repairable = canRepair(ctx, drift.kind) && (drift.kind !== 'deactivated' || mapsActive(ctx.target.mapping));
  if (!recordDrift(ctx, 'User', link.resourceId, drift.kind, drift.paths.join(', '), repairable)) return [];
  // RFC 7644 §3.14: the version read travels with the payload, so the repair's If-Match is current.
  const meta = remote.meta;
  const version = ctx.target.capabilities?.etag && isObject(meta) && typeof meta.version === 'string' ? meta.version : undefined;
  return [observeLinkStatement(ctx.db, ctx.target.id, link.resourceId, storedPayload(drift.observed, version), await payloadHash(drift.observed))];
}
