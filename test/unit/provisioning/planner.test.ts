/**
 * The planner reads the change feed past a target's watermark (issue #9): paged, coalesced per
 * resource, groups only with group push, and the watermark moves with the rows it planned — a
 * target planned later, or paused meanwhile, gets exactly what changed since.
 */
import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { catchUp } from '../../../worker/src/provisioning/planner';
import { getTarget } from '../../../worker/src/provisioning/targets';
import { createTarget } from '../../helpers/api';

async function writeChanges(rows: { type: 'User' | 'Group'; id: string }[]): Promise<void> {
  const at = new Date().toISOString();
  const stmts = rows.map((r) =>
    env.DB.prepare("INSERT INTO changes (resource_type, resource_id, op, version, at) VALUES (?, ?, 'update', 1, ?)").bind(r.type, r.id, at),
  );
  for (let i = 0; i < stmts.length; i += 500) await env.DB.batch(stmts.slice(i, i + 500));
}

const outboxOf = async (targetId: string) =>
  (
    await env.DB.prepare('SELECT resource_type AS type, resource_id AS id, change_seq AS seq FROM outbox WHERE target_id = ? ORDER BY resource_id')
      .bind(targetId)
      .all<{ type: string; id: string; seq: number }>()
  ).results;

describe('catchUp: the change feed past the watermark', () => {
  it('coalesces 2,500 changes over three pages into one row per resource and moves the watermark to the last', async () => {
    const target = await createTarget('planner', { initialSync: false, modes: { scheduled: { enabled: true } } });
    const ids = Array.from({ length: 250 }, (_, i) => `user-${String(i).padStart(3, '0')}`);
    await writeChanges(Array.from({ length: 2500 }, (_, i) => ({ type: 'User' as const, id: ids[i % ids.length]! })));
    const head = (await env.DB.prepare('SELECT max(seq) AS seq FROM changes').first<{ seq: number }>())!.seq;

    const result = await catchUp(env.DB, (await getTarget(env, target.id))!, new Date());
    expect(result).toMatchObject({ changes: 2500, caughtUp: true });
    const rows = await outboxOf(target.id);
    expect(rows.map((r) => r.id)).toEqual(ids);
    expect((await getTarget(env, target.id))!.watermark).toBe(head);
    // Every row carries the seq of the last page that named it: a rerun plans nothing new.
    expect(await catchUp(env.DB, (await getTarget(env, target.id))!, new Date())).toMatchObject({ changes: 0 });
  });

  it('plans groups only for a target with group push, and never what came before its watermark', async () => {
    await writeChanges([{ type: 'User', id: 'before-a' }]);
    const plain = await createTarget('no groups', { initialSync: false });
    const groups = await createTarget('groups', { initialSync: false, pushGroups: true });
    await writeChanges([
      { type: 'User', id: 'after-a' },
      { type: 'Group', id: 'group-a' },
    ]);
    for (const t of [plain, groups]) await catchUp(env.DB, (await getTarget(env, t.id))!, new Date());
    expect((await outboxOf(plain.id)).map((r) => r.id)).toEqual(['after-a']);
    expect((await outboxOf(groups.id)).map((r) => r.id)).toEqual(['after-a', 'group-a']);
  });
});
