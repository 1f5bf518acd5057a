/**
 * The users phase: one page of the target's users. Each remote id is remembered as seen (for
 * the verify phase), each linked account compared; accounts the relay did not create or link
 * are only counted — reconcile never touches them. An account an earlier page listed already
 * (the order shifted under the listing) is compared once.
 */
import { linkedUsersByRemote, seenStatement } from '../../db/reconcile';
import { chargeCompared, type ReconcileContext } from './context';
import { observeUser } from './observe-user';
import type { ObservedUser } from './target-lister';

export async function observeUsers(ctx: ReconcileContext, items: readonly ObservedUser[]): Promise<D1PreparedStatement[]> {
  ctx.state.counts.users += items.length;
  chargeCompared(ctx, items.length);
  const stmts = [
    seenStatement(
      ctx.db,
      ctx.target.id,
      'User',
      items.map((i) => ({ id: i.remoteId, roles: i.roles })),
    ),
  ];
  const linked = new Map(
    (
      await linkedUsersByRemote(
        ctx.db,
        ctx.target.id,
        items.map((i) => i.remoteId),
      )
    ).map((l) => [l.remoteId, l]),
  );
  for (const item of items) {
    const link = linked.get(item.remoteId);
    if (!link) {
      ctx.state.counts.unlinked++;
      continue;
    }
    if (link.seen) continue;
    stmts.push(...(await observeUser(ctx, link, item.resource)));
  }
  return stmts;
}
