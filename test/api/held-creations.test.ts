/**
 * Held creations (issue #13) shown apart from held deletions: a held row of a user with no
 * account linked on the target would create one (the creation threshold held it); a held row of
 * a linked account deactivates or deletes it (the deletion threshold). The outbox list, the
 * People page's lookup and a target's sync report say which is which.
 */
import { env } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { api, createTarget, insertOutboxRow } from '../helpers/api';
import { createUser } from '../helpers/scim';

let target: any;
let newcomer: any;
let leaver: any;
let returning: any;
let creationRow: number;
let deletionRow: number;
let returnRow: number;

beforeAll(async () => {
  // Paused: no background run takes the rows set up here.
  target = await createTarget('held-creations', { status: 'paused', initialSync: false });
  newcomer = await createUser('held.newcomer');
  leaver = await createUser('held.leaver', { active: false });
  await env.DB.prepare("INSERT INTO links (target_id, resource_type, resource_id, remote_id, state) VALUES (?, 'User', ?, 'remote-leaver', 'in_sync')")
    .bind(target.id, leaver.id)
    .run();
  // Back after the relay deleted the account: the link keeps the deleted remote id, and sending creates one again.
  returning = await createUser('held.returning');
  await env.DB.prepare(
    "INSERT INTO links (target_id, resource_type, resource_id, remote_id, state, remote_state) VALUES (?, 'User', ?, 'remote-gone', 'in_sync', 'deleted')",
  )
    .bind(target.id, returning.id)
    .run();
  creationRow = await insertOutboxRow(target.id, newcomer.id, 'held', { lastError: 'Held for approval: 1 account creation(s).' });
  deletionRow = await insertOutboxRow(target.id, leaver.id, 'held', { lastError: 'Held for approval: 1 deactivation(s)/deletion(s).' });
  returnRow = await insertOutboxRow(target.id, returning.id, 'held', { lastError: 'Held for approval: 2 account creation(s).' });
});

describe('held creations apart from held deletions', () => {
  it('marks the held row of an unlinked user as a creation in the outbox list', async () => {
    const res = await api('GET', `/outbox?state=held&targetId=${target.id}`);
    expect(res.status).toBe(200);
    const creates = Object.fromEntries(res.body.items.map((r: any) => [r.id, r.creates]));
    expect(creates).toEqual({ [creationRow]: true, [deletionRow]: false, [returnRow]: true });
  });

  it('counts held creations within held on the People page lookup', async () => {
    const res = await api('POST', '/users/lookup', { userNames: ['held.newcomer'] });
    expect(res.status).toBe(200);
    expect(res.body.targets.find((t: any) => t.id === target.id)).toMatchObject({ held: 3, heldCreations: 2 });
  });

  it('reports held deletions and held creations separately in the target’s sync report', async () => {
    const res = await api('GET', `/targets/${target.id}/sync`);
    expect(res.status).toBe(200);
    expect(res.body.deletions.held).toBe(1);
    expect(res.body.creations).toMatchObject({ held: 2, threshold: 100 });
  });
});
