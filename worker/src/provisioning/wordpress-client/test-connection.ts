import { capabilitiesFrom, describeCapabilities } from '../scim-client/capabilities';
import { buildFilter } from '../scim-client/filter';
import { readAs } from '../scim-client/readers';
import type { TestConnectionOptions, TestConnectionResult } from '../scim-client/test-connection';
import { createTestReport } from '../test-report';
import { APP_PASSWORDS_HELP } from './classify';
import { createWordpressClient, WORDPRESS_CAPABILITIES, type WordpressConnectionInput } from './client';
import { wpIndexSchema } from './schemas';
import { createWordpressTransport } from './transport';

/** What the relay does on the site, and the capability each needs (all an administrator's). */
const NEEDED = ['list_users', 'create_users', 'edit_users', 'promote_users', 'delete_users'] as const;

export async function testWordpressConnection(
  conn: WordpressConnectionInput,
  matching: readonly string[],
  opts: TestConnectionOptions = {},
): Promise<TestConnectionResult> {
  const send = createWordpressTransport(conn);
  const client = createWordpressClient(conn);
  const { steps, record, finish } = createTestReport('WordPress', WORDPRESS_CAPABILITIES, opts.now);

  // 1. The REST API answers here, and says whether Application Passwords are available.
  const index = await send('GET', '/', readAs(wpIndexSchema, 'WordPress REST index'), { discovery: true });
  if (!index.ok) {
    const f = index.failure;
    const detail =
      f.kind === 'transient' && f.status !== undefined && f.status < 300
        ? `The address answered, but not with the WordPress REST API: check the base URL and the REST path (/wp-json, or /?rest_route= without pretty permalinks). (${f.message})`
        : f.message;
    record('test_connection', false, detail, index);
    return finish(false);
  }
  const auth = index.value.authentication;
  const appPasswords = auth !== undefined && !Array.isArray(auth) && 'application-passwords' in auth;
  if (!appPasswords) {
    record(
      'test_connection',
      false,
      `The WordPress REST API answers, but Application Passwords are unavailable on this site: WordPress offers them only over https (or where WP_ENVIRONMENT_TYPE is "local"), and a plugin or the wp_is_application_passwords_available filter may switch them off. Serve the site over https. ${APP_PASSWORDS_HELP}`,
      index,
    );
    return finish(false);
  }
  record(
    'test_connection',
    true,
    `The WordPress REST API answers${index.value.name ? ` for "${index.value.name}"` : ''} and Application Passwords are available. ${describeCapabilities(capabilitiesFrom(WORDPRESS_CAPABILITIES, new Date()))}.`,
    index,
  );

  // 2. Who the credentials sign in as (a wrong password is silently anonymous: only this tells).
  const me = await client.me();
  if (!me.ok) {
    const f = me.failure;
    const detail =
      f.status === 401
        ? `Wrong credentials: WordPress ran the request as an anonymous visitor (401 on /users/me) — it does not report a wrong Application Password as an error. Check the user name and the Application Password. ${APP_PASSWORDS_HELP}`
        : `Could not read the account the credentials sign in as: ${f.message}`;
    record('read', false, detail, me);
    return finish(false);
  }
  const caps = (me.value as { capabilities?: Record<string, boolean> }).capabilities ?? {};
  const missing = NEEDED.filter((c) => caps[c] !== true);
  if (missing.length > 0)
    record(
      'read',
      false,
      `The credentials sign in as "${me.value.username}" (user ${me.value.id}), which lacks the capabilities ${missing.join(', ')}: use an administrator's Application Password.`,
      me,
    );
  else
    record(
      'read',
      true,
      `The credentials sign in as "${me.value.username}" (user ${me.value.id}), which may list, create, edit, promote and delete users.`,
      me,
    );

  // 3. Each matching attribute, for a value nobody has.
  const probe = opts.probeValue ?? `relay-test-${crypto.randomUUID()}@example.invalid`;
  for (const path of matching) {
    const r = await client.findUsers(buildFilter(path, probe));
    if (r.ok && r.value.length === 0) record('match', true, `Matching on ${path} works: a made-up value finds nobody.`, r);
    else if (r.ok) record('match', false, `The site returned users for a made-up ${path}: matching on ${path} would link the wrong accounts.`, r);
    else record('match', false, `Matching on ${path} failed: ${r.failure.message}`, r);
  }
  if (opts.existingUserName !== undefined) {
    const r = await client.findUsers(buildFilter('userName', opts.existingUserName));
    if (r.ok && r.value.length === 1) record('read', true, `Found ${opts.existingUserName} on the site (user ${r.value[0]!.id}).`, r);
    else if (r.ok) record('read', false, `No account named ${opts.existingUserName} on the site.`, r);
    else record('read', false, `Looking up ${opts.existingUserName} failed: ${r.failure.message}`, r);
  }

  // 4. The mapped roles, against what the site shows (core publishes no role list over REST).
  const mapped = Object.entries(conn.options.roleMap);
  if (mapped.length > 0) {
    const roles = await client.listRoles();
    if (!roles.ok) record('read', false, `Reading the site's roles failed: ${roles.failure.message}`, roles);
    else {
      const known = new Set(roles.value.map((r) => r.id));
      const unseen = mapped.filter(([, role]) => !known.has(role));
      record(
        'read',
        true,
        unseen.length === 0
          ? `Roles found for every mapped group: ${mapped.map(([g, r]) => `${g} → ${r}`).join(', ')}.`
          : `No account holds the mapped role(s) ${unseen.map(([g, r]) => `${g} → ${r}`).join(', ')} yet and they are not core roles: WordPress lists no roles over REST, so make sure they exist (a missing role fails the first member with "rest_user_invalid_role").`,
        roles,
      );
    }
  }

  // 5. What the relay leaves alone.
  const protectedNote = `Protected: the relay never changes the account it signs in as (user ${me.value.id})${conn.options.allowUserOne ? '' : ' nor user 1, the first administrator'}. Deactivating an account removes its roles (restored on reactivation), revokes its Application Passwords and sets a random password; WordPress has no disabled flag.`;
  steps.push({ step: 'action', ok: true, detail: protectedNote });
  return finish(true);
}
