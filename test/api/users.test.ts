/**
 * /api/v1/users: directory search, batch lookup (a whole People page in one call) and per-user
 * status, each user with its link state on every target.
 */
import { env } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { createUser } from '../helpers/scim';
import { api, createTarget } from '../helpers/api';

let alice: any;
let bob: any;
let target: any;
let other: any;

beforeAll(async () => {
  target = await createTarget('users-target');
  other = await createTarget('users-other');
  alice = await createUser('Alice.Liddell', {
    externalId: 'ext-alice',
    displayName: 'Alice Liddell',
    emails: [
      { value: 'alice@home.example', type: 'home' },
      { value: 'Alice@Work.example', type: 'work', primary: true },
    ],
  });
  bob = await createUser('bob.builder', { externalId: 'ext-bob', active: false, emails: [{ value: 'bob@work.example', type: 'work' }] });
  await env.DB.prepare(
    "INSERT INTO links (target_id, resource_type, resource_id, remote_id, state, last_attempt_at, last_success_at) VALUES (?, 'User', ?, 'remote-1', 'in_sync', ?, ?)",
  )
    .bind(target.id, alice.id, '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z')
    .run();
});

const aliceSummary = () => ({
  id: alice.id,
  userName: 'Alice.Liddell',
  displayName: 'Alice Liddell',
  active: true,
  emails: ['Alice@Work.example', 'alice@home.example'],
  externalId: 'ext-alice',
});

describe('GET /api/v1/users', () => {
  it('finds a user by userName case-insensitively, by any email, by externalId', async () => {
    for (const query of ['userName=alice.liddell', 'email=ALICE@home.example', 'externalId=ext-alice', 'userName=Alice.Liddell&email=alice@work.example']) {
      const res = await api('GET', `/users?${query}`);
      expect(res.status, query).toBe(200);
      expect(
        res.body.items.map((u: any) => u.id),
        query,
      ).toEqual([alice.id]);
    }
    expect((await api('GET', '/users?externalId=EXT-ALICE')).body.items).toEqual([]);
    expect((await api('GET', '/users?userName=alice.liddell&email=bob@work.example')).body.items).toEqual([]);
  });

  it('answers q with userName and email prefixes and exact externalIds', async () => {
    const ids = async (q: string) => (await api('GET', `/users?q=${encodeURIComponent(q)}`)).body.items.map((u: any) => u.id);
    expect(await ids('ALICE.')).toEqual([alice.id]);
    expect(await ids('bob@work')).toEqual([bob.id]);
    expect(await ids('ext-bob')).toEqual([bob.id]);
    expect(await ids('ext-')).toEqual([]);
  });

  it('returns the summary with a link per target', async () => {
    const [item] = (await api('GET', '/users?userName=alice.liddell')).body.items;
    expect(item).toMatchObject(aliceSummary());
    const links = Object.fromEntries(item.links.map((l: any) => [l.targetId, l]));
    expect(links[target.id]).toMatchObject({ targetName: 'users-target', state: 'in_sync', remoteId: 'remote-1' });
    expect(links[other.id]).toEqual({
      targetId: other.id,
      targetName: 'users-other',
      state: 'never',
      remoteId: null,
      lastAttemptAt: null,
      lastSuccessAt: null,
      nextAttemptAt: null,
      lastError: null,
      override: null,
      drift: null,
    });
  });
});

describe('POST /api/v1/users/lookup', () => {
  it('answers every key of every kind in one response, null for no match', async () => {
    const res = await api('POST', '/users/lookup', {
      userNames: ['ALICE.LIDDELL', 'nobody'],
      emails: ['bob@work.example', 'alice@home.example'],
      externalIds: ['ext-bob'],
      ids: [alice.id, 'missing-id'],
    });
    expect(res.status).toBe(200);
    const b = res.body;
    expect(b.targets.map((t: any) => t.id)).toEqual(expect.arrayContaining([target.id, other.id]));
    expect(b.userNames['ALICE.LIDDELL'].user).toEqual(aliceSummary());
    expect(b.userNames.nobody).toBeNull();
    expect(b.emails['bob@work.example'].user).toMatchObject({ id: bob.id, active: false });
    expect(b.emails['alice@home.example'].user.id).toBe(alice.id);
    expect(b.externalIds['ext-bob'].user.id).toBe(bob.id);
    expect(b.ids[alice.id].links.find((l: any) => l.targetId === target.id).state).toBe('in_sync');
    expect(b.ids['missing-id']).toBeNull();
  });

  it('handles a page of 500 keys (chunked under the 100-parameter limit)', async () => {
    const userNames = [...Array.from({ length: 498 }, (_, i) => `ghost-${i}`), 'alice.liddell', 'bob.builder'];
    const res = await api('POST', '/users/lookup', { userNames });
    expect(res.status).toBe(200);
    expect(Object.keys(res.body.userNames)).toHaveLength(500);
    expect(res.body.userNames['bob.builder'].user.id).toBe(bob.id);
    expect(res.body.userNames['ghost-250']).toBeNull();
    expect(res.body.emails).toEqual({});
  });
});

describe('GET /api/v1/users/:id/status', () => {
  it('gives the link on every target and the latest audit events', async () => {
    await env.DB.prepare("INSERT INTO audit_events (at, target_id, resource_type, resource_id, operation, outcome) VALUES (?, ?, 'User', ?, 'create', 'ok')")
      .bind(new Date().toISOString(), target.id, alice.id)
      .run();
    const res = await api('GET', `/users/${alice.id}/status`);
    expect(res.status).toBe(200);
    expect(res.body.user).toEqual(aliceSummary());
    expect(res.body.links).toHaveLength((await api('GET', '/targets')).body.items.length);
    expect(res.body.links.find((l: any) => l.targetId === other.id).state).toBe('never');
    expect(res.body.events).toEqual([expect.objectContaining({ targetId: target.id, resourceId: alice.id, operation: 'create', outcome: 'ok' })]);
  });

  it('answers 404 for an unknown user', async () => {
    expect((await api('GET', '/users/no-such-user/status')).status).toBe(404);
  });
});
