/**
 * The admin API's provisioning actions that need no live target: preview (the exact payload a
 * target would get), plan, and their errors. The round trips to real targets are in test/e2e.
 */
import { describe, expect, it } from 'vitest';
import { api, createTarget } from '../helpers/api';
import { ENTERPRISE_URN, createUser } from '../helpers/scim';

describe('preview', () => {
  it('shows the payload the default mapping sends for a user', async () => {
    const target = await createTarget('preview');
    const user = await createUser('grace@preview.test', {
      name: { givenName: 'Grace', familyName: 'Hopper' },
      emails: [
        { value: 'grace@work.test', type: 'work' },
        { value: 'grace@home.test', type: 'home', primary: true },
      ],
      [ENTERPRISE_URN]: { department: 'Navy' },
    });
    const res = await api('POST', `/targets/${target.id}/preview`, { userId: user.id, phase: 'create' });
    expect(res.status, res.text).toBe(200);
    expect(res.body.payload).toMatchObject({
      userName: 'grace@preview.test',
      externalId: user.id,
      active: true,
      name: { givenName: 'Grace', familyName: 'Hopper' },
      emails: [expect.objectContaining({ type: 'work', value: 'grace@work.test' })],
    });
    expect(res.body.payload.schemas).toContain('urn:ietf:params:scim:schemas:core:2.0:User');
  });

  it('applies a template and a transform from a custom mapping', async () => {
    const target = await createTarget('templated', {
      mapping: [
        { target: 'userName', template: '{name.givenName}.{name.familyName}@example.com', transforms: ['lower'] },
        { target: 'title', constant: 'Engineer', when: 'create' },
      ],
    });
    const user = await createUser('ada@preview.test', { name: { givenName: 'Ada', familyName: 'Lovelace' } });
    const create = await api('POST', `/targets/${target.id}/preview`, { userId: user.id, phase: 'create' });
    expect(create.body.payload).toMatchObject({ userName: 'ada.lovelace@example.com', title: 'Engineer' });
    const update = await api('POST', `/targets/${target.id}/preview`, { userId: user.id, phase: 'update' });
    expect(update.body.payload.title).toBeUndefined();
  });

  it('answers 404 for an unknown user or target, and 400 naming the bad field', async () => {
    const target = await createTarget('errors');
    expect((await api('POST', `/targets/${target.id}/preview`, { userId: 'nobody', phase: 'create' })).status).toBe(404);
    expect((await api('POST', '/targets/nope/preview', { userId: 'nobody', phase: 'create' })).status).toBe(404);
    const bad = await api('POST', `/targets/${target.id}/preview`, { phase: 'sometimes' });
    expect(bad.status).toBe(400);
    expect(bad.body.issues.map((i: { path: string }) => i.path)).toEqual(expect.arrayContaining(['userId', 'phase']));
  });
});

describe('preview of what a CMS site receives', () => {
  const grace = () =>
    createUser(`grace.${crypto.randomUUID().slice(0, 8)}`, {
      displayName: 'Grace Hopper',
      name: { givenName: 'Grace', familyName: 'Hopper' },
      emails: [{ value: 'grace@work.test', type: 'work' }],
    });

  it('shows a WordPress target the /wp/v2/users fields, with the default role and no password anyone learns', async () => {
    const target = await createTarget('wp preview', {
      kind: 'wordpress-rest',
      baseUrl: 'https://blog.example.com',
      token: 'admin:abcd efgh',
      options: { defaultRole: 'author' },
    });
    const user = await grace();
    const create = await api('POST', `/targets/${target.id}/preview`, { userId: user.id, phase: 'create' });
    expect(create.status, create.text).toBe(200);
    expect(create.body.site).toEqual({
      method: 'POST',
      path: '/wp/v2/users',
      body: {
        username: user.userName,
        email: 'grace@work.test',
        name: 'Grace Hopper',
        first_name: 'Grace',
        last_name: 'Hopper',
        password: '(random, never stored)',
        roles: ['author'],
      },
    });
    const update = await api('POST', `/targets/${target.id}/preview`, { userId: user.id, phase: 'update' });
    expect(update.body.site.body).not.toHaveProperty('username');
    expect(update.body.site).toMatchObject({ method: 'POST', path: '/wp/v2/users/{id}', body: { email: 'grace@work.test' } });
  });

  it('shows a Joomla target the /v1/users fields, with the default groups on create and the full set on every PATCH', async () => {
    const target = await createTarget('joomla preview', {
      kind: 'joomla-webservices',
      baseUrl: 'https://portal.example.com',
      token: 'c2hhMjU2OjU2MDp0b2tlbg==',
      options: { defaultGroups: [2, 3] },
    });
    const user = await grace();
    const create = await api('POST', `/targets/${target.id}/preview`, { userId: user.id, phase: 'create' });
    expect(create.body.site).toEqual({
      method: 'POST',
      path: '/v1/users',
      body: { name: 'Grace Hopper', username: user.userName, email: 'grace@work.test', block: 0, groups: [2, 3] },
    });
    const update = await api('POST', `/targets/${target.id}/preview`, { userId: user.id, phase: 'update' });
    expect(update.body.site).toMatchObject({ method: 'PATCH', path: '/v1/users/{id}', body: { groups: '(the account’s current groups)' } });
  });

  it('shows a Drupal target the user--user attributes, and a SCIM target none beside its payload', async () => {
    const drupal = await createTarget('drupal preview', { kind: 'drupal-jsonapi', baseUrl: 'https://intranet.example.com', token: 'admin:secret' });
    const user = await grace();
    const create = await api('POST', `/targets/${drupal.id}/preview`, { userId: user.id, phase: 'create' });
    expect(create.body.site).toEqual({
      method: 'POST',
      path: '/user/user',
      body: { data: { type: 'user--user', attributes: { name: user.userName, mail: 'grace@work.test', status: true } } },
    });
    const scim = await createTarget('scim preview');
    expect((await api('POST', `/targets/${scim.id}/preview`, { userId: user.id, phase: 'create' })).body.site).toBeNull();
  });
});

describe('plan and provision', () => {
  it('plans nothing for a target with no queued work, and refuses an unknown mode', async () => {
    const target = await createTarget('idle');
    const plan = await api('GET', `/targets/${target.id}/plan?mode=scheduled`);
    expect(plan.body).toEqual({ targetId: target.id, mode: 'scheduled', operations: [] });
    expect((await api('GET', `/targets/${target.id}/plan?mode=sometimes`)).status).toBe(400);
  });

  it('refuses to provision to an unknown target, naming it', async () => {
    const user = await createUser('lin@preview.test');
    const res = await api('POST', `/users/${user.id}/provision`, { targetIds: ['no-such-target'] });
    expect(res.status).toBe(400);
    expect(res.body.message).toContain('no-such-target');
  });

  it('names only the unknown targets among known ones, by their index', async () => {
    const user = await createUser('mei@preview.test');
    const known = await createTarget('known');
    const res = await api('POST', `/users/${user.id}/provision`, { targetIds: [known.id, 'gone-1', 'gone-2'] });
    expect(res.status).toBe(400);
    expect(res.body.issues).toEqual([
      { path: 'targetIds.1', message: 'no such target' },
      { path: 'targetIds.2', message: 'no such target' },
    ]);
    expect(res.body.message).not.toContain(known.id);
  });
});

describe('mapping checks on save', () => {
  it('refuses a mapping whose path does not parse, naming the rule, and stores nothing', async () => {
    const bad = [
      { target: 'userName', source: 'userName' },
      { target: 'emails[type eq', source: 'emails.value' },
    ];
    const created = await api('POST', '/targets', { name: 'bad mapping', baseUrl: 'https://app.example.com/scim/v2', token: 't0ken', mapping: bad });
    expect(created.status).toBe(400);
    expect(created.body.issues).toEqual([expect.objectContaining({ path: 'mapping.1' })]);
    expect((await api('GET', '/targets')).body.items.some((t: { name: string }) => t.name === 'bad mapping')).toBe(false);

    const target = await createTarget('good mapping');
    const put = await api('PUT', `/targets/${target.id}/mapping`, { mapping: bad });
    expect(put.status).toBe(400);
    expect((await api('GET', `/targets/${target.id}/mapping`)).body.mapping).toEqual(target.mapping);
  });
});
