/**
 * Where a target stands against the directory, for the admin API: its full pass (done / total,
 * ETA), how far its watermark trails the change feed, the deletion threshold's window and the
 * mass-creation guard.
 */
import type { TargetSync } from '../../../shared/src/api';
import type { Target } from '../../../shared/src/targets';
import { headSeq } from '../db/change-feed';
import { countHeldCreations } from '../db/held-creations';
import { countGuards, isCreationGuardDown } from '../db/hold';
import { scopeCondition } from './scope';
import { countOutstanding } from '../db/sync-state';

export async function syncProgress(db: D1Database, target: Target, now: Date): Promise<TargetSync> {
  // The two candidate counts meet only the rows waiting in the outbox: each waiting user's own
  // memberships are probed instead of building a 20,000-member group's set twice per request
  // (bench:limits: ~1,000 rows on backoff, 38 → 17 ms of SQLite for each count).
  const scope = scopeCondition(target.scope, target.id, 'u.id', 'probe');
  const [head, outstanding, { destructive, creations }, heldCreations] = await Promise.all([
    headSeq(db),
    countOutstanding(db, target.id),
    countGuards(db, target, scope, now),
    countHeldCreations(db, target.id),
  ]);
  const s = target.sync;
  let sync: TargetSync['sync'] = null;
  if (s) {
    // Settled = enqueued and no longer in the outbox; what is still there is outstanding.
    const done = Math.min(s.total, Math.max(0, s.enqueued - outstanding));
    const complete = s.phase === 'done' && outstanding === 0;
    const elapsed = (now.getTime() - Date.parse(s.startedAt)) / 1000;
    const etaSeconds = complete || done === 0 ? null : Math.round((elapsed / done) * (s.total - done));
    sync = {
      reason: s.reason,
      phase: s.phase,
      total: s.total,
      enqueued: s.enqueued,
      done: complete ? s.total : done,
      startedAt: s.startedAt,
      complete,
      etaSeconds,
    };
  }
  return {
    targetId: target.id,
    watermark: target.watermark,
    head,
    outstanding,
    sync,
    deletions: {
      threshold: target.deletionThreshold,
      windowMinutes: target.deletionWindowMinutes,
      sentInWindow: destructive.sent,
      pending: destructive.pending,
      held: destructive.held - heldCreations,
    },
    creations: {
      threshold: target.creationThreshold,
      sentInWindow: creations.sent,
      waiting: creations.pending,
      standsDown: target.creationThreshold > 0 && isCreationGuardDown(target, now),
      held: heldCreations,
    },
  };
}
