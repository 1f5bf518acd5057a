/**
 * POST /api/v1/users (a user as an admin page shows it → the directory) and preview with an
 * inline user: the popup's path for a site that is neither a source nor a target.
 */
import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { api, createTarget } from '../helpers/api';
import { createUser } from '../helpers/scim';

const outboxFor = async (userId: string) =>
  (await env.DB.prepare("SELECT target_id AS targetId FROM outbox WHERE resource_id = ? AND state = 'pending'").bind(userId).all()).results;
const changesFor = async (userId: string) =>
  (await env.DB.prepare('SELECT op FROM changes WHERE resource_id = ? ORDER BY seq').bind(userId).all<{ op: string }>()).results.map((r) => r.op);

describe('POST /api/v1/users', () => {
  it("creates the user with a change-log row, which the target's planner turns into an outbox row", async () => {
    // Scheduled, not automatic: an automatic target's background run could lease the row before it is read here.
    const target = await createTarget('page-users-target', { modes: { scheduled: { enabled: true } } });
    const res = await api('POST', '/users', { userName: 'jdoe', email: 'jdoe@site.test', active: true, name: { givenName: 'Jane', familyName: 'Doe' } });
    expect(res.status, res.text).toBe(200);
    expect(res.body.outcome).toBe('created');
    expect(res.body.user).toMatchObject({ userName: 'jdoe', active: true, emails: ['jdoe@site.test'] });
    const id = res.body.user.id;
    expect(await changesFor(id)).toEqual(['create']);
    // The change reaches the target's outbox when the target is planned (its next run, or its plan).
    await api('GET', `/targets/${target.id}/plan?mode=scheduled`);
    expect((await outboxFor(id)).map((r: any) => r.targetId)).toContain(target.id);
    const scim = await env.DB.prepare('SELECT data FROM users WHERE id = ?').bind(id).first<{ data: string }>();
    expect(JSON.parse(scim!.data)).toMatchObject({
      name: { givenName: 'Jane', familyName: 'Doe' },
      emails: [{ value: 'jdoe@site.test', type: 'work', primary: true }],
    });
  });

  it('updates by userName (any case) only what differs, keeping the addresses the user has', async () => {
    const user = await createUser('Blocked.Bob', {
      emails: [
        { value: 'bob@home.test', type: 'home' },
        { value: 'bob@work.test', type: 'work', primary: true },
      ],
    });
    const res = await api('POST', '/users', { userName: 'blocked.bob', email: 'BOB@home.test', active: false });
    expect(res.status, res.text).toBe(200);
    expect(res.body.outcome).toBe('updated');
    expect(res.body.user).toMatchObject({ id: user.id, userName: 'Blocked.Bob', active: false, emails: ['bob@work.test', 'bob@home.test'] });
    expect(await changesFor(user.id)).toEqual(['create', 'update']);

    const again = await api('POST', '/users', { userName: 'Blocked.Bob', email: 'bob@work.test', active: false });
    expect(again.body.outcome).toBe('unchanged');
    expect(await changesFor(user.id)).toEqual(['create', 'update']);
  });

  it('answers 400 naming the field, and writes nothing', async () => {
    const res = await api('POST', '/users', { userName: '', email: 'not-an-address', active: 'yes' });
    expect(res.status).toBe(400);
    expect(res.body.issues.map((i: any) => i.path).sort()).toEqual(['active', 'email', 'userName']);
    const none = await env.DB.prepare("SELECT COUNT(*) AS n FROM users WHERE user_name = 'not-an-address'").first<{ n: number }>();
    expect(none!.n).toBe(0);
  });
});

describe('preview with an inline user', () => {
  it('shows what the target would get for a user the directory does not have', async () => {
    const target = await createTarget('inline-preview');
    const res = await api('POST', `/targets/${target.id}/preview`, {
      user: { userName: 'newbie', email: 'newbie@site.test', name: { givenName: 'New' } },
      phase: 'create',
    });
    expect(res.status, res.text).toBe(200);
    expect(res.body.payload).toMatchObject({
      userName: 'newbie',
      active: true,
      name: { givenName: 'New' },
      emails: [expect.objectContaining({ value: 'newbie@site.test' })],
    });
    const stored = await env.DB.prepare("SELECT COUNT(*) AS n FROM users WHERE user_name = 'newbie'").first<{ n: number }>();
    expect(stored!.n).toBe(0);
  });

  it('wants either a userId or a user', async () => {
    const target = await createTarget('inline-preview-bad');
    for (const body of [{}, { userId: 'x', user: { userName: 'y' } }]) {
      const res = await api('POST', `/targets/${target.id}/preview`, body);
      expect(res.status).toBe(400);
      expect(res.body.issues).toEqual([{ path: 'userId', message: 'give either userId or user' }]);
    }
  });
});

describe('preview with an edited mapping', () => {
  it('applies the mapping in the body instead of the saved one, and names a bad rule', async () => {
    const target = await createTarget('edited-mapping-preview');
    const user = await createUser('edith@preview.test', { name: { givenName: 'Edith', familyName: 'Clarke' } });
    const mapping = [{ target: 'userName', template: '{name.givenName}-{name.familyName}', transforms: ['lower'] }];
    const res = await api('POST', `/targets/${target.id}/preview`, { userId: user.id, mapping });
    expect(res.status, res.text).toBe(200);
    expect(res.body.payload.userName).toBe('edith-clarke');
    expect((await api('GET', `/targets/${target.id}/mapping`)).body.mapping).not.toEqual(
      expect.arrayContaining([expect.objectContaining({ template: mapping[0]!.template })]),
    );

    const bad = await api('POST', `/targets/${target.id}/preview`, {
      userId: user.id,
      mapping: [
        { target: 'userName', source: 'userName' },
        { target: 'title', source: 'emails[type eq' },
      ],
    });
    expect(bad.status).toBe(400);
    expect(bad.body.issues.map((i: any) => i.path)).toEqual(['mapping.1']);
  });
});
