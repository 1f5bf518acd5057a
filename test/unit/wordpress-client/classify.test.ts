/**
 * classifyWordpress on the real WordPress 6.9.7 answers (test/fixtures/wordpress-real/api):
 * the engine's failure kind for each error WordPress gives, branching on `code`, not the status.
 */
import { describe, expect, it } from 'vitest';
import { classifyWordpress } from '../../../worker/src/provisioning/wordpress-client';
import dupLogin from '../../fixtures/wordpress-real/api/20_create_duplicate_username.json';
import dupEmail from '../../fixtures/wordpress-real/api/21_create_duplicate_email.json';
import invalidEmail from '../../fixtures/wordpress-real/api/23_create_invalid_email.json';
import invalidRole from '../../fixtures/wordpress-real/api/24_create_invalid_role.json';
import notFound from '../../fixtures/wordpress-real/api/60_get_one_not_found.json';
import usernameLocked from '../../fixtures/wordpress-real/api/67_update_username_rejected.json';
import emailTaken from '../../fixtures/wordpress-real/api/68_update_email_taken.json';
import wrongPassword from '../../fixtures/wordpress-real/api/06_auth_wrong_app_password.json';
import noForce from '../../fixtures/wordpress-real/api/86_delete_without_force.json';
import forbiddenContext from '../../fixtures/wordpress-real/api/05_list_unauthenticated_context_edit.json';

type Capture = { response: { status: number; body: unknown } };
const kindOf = (c: Capture, opts: { creating?: boolean } = {}) => classifyWordpress(c.response.status, new Headers(), JSON.stringify(c.response.body), opts);

describe('classifyWordpress on the captured answers', () => {
  it('a duplicate username or email on create is a 500 with a code, and a conflict to re-read and link', () => {
    expect(dupLogin.response.status).toBe(500);
    expect(kindOf(dupLogin, { creating: true })).toMatchObject({ kind: 'conflict', status: 500 });
    expect(kindOf(dupEmail, { creating: true }).message).toContain('existing_user_email');
  });

  it("the same 500 outside a create is the data's fault, not a server to retry", () => {
    expect(kindOf(dupLogin)).toMatchObject({ kind: 'rejected' });
  });

  it('a wrong Application Password (anonymous) and a list refused to anonymous are fatal and say why', () => {
    expect(kindOf(wrongPassword as Capture)).toMatchObject({ kind: 'fatal', status: 401 });
    expect(kindOf(wrongPassword as Capture).message).toContain('anonymous visitor');
    expect(kindOf(forbiddenContext as Capture)).toMatchObject({ kind: 'fatal' });
  });

  it("validation answers are rejected with the parameter's reason; a taken email on update too", () => {
    expect(kindOf(invalidEmail as Capture)).toMatchObject({ kind: 'rejected', status: 400 });
    expect(kindOf(invalidEmail as Capture).message).toContain('email: Invalid email address.');
    expect(kindOf(invalidRole as Capture)).toMatchObject({ kind: 'rejected' });
    expect(kindOf(usernameLocked as Capture).message).toContain('Username is not editable.');
    expect(kindOf(emailTaken as Capture).message).toContain('another account may use it already');
    expect(kindOf(noForce as Capture)).toMatchObject({ kind: 'rejected', status: 501 });
  });

  it('an unknown user id is not_found, so the engine re-matches', () => {
    expect(kindOf(notFound as Capture)).toMatchObject({ kind: 'not_found', status: 404 });
  });
});
