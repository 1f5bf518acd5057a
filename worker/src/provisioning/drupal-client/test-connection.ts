import { capabilitiesFrom, describeCapabilities } from '../scim-client/capabilities';
import { buildFilter } from '../scim-client/filter';
import { readAs, readNothing } from '../scim-client/readers';
import type { TestConnectionResult } from '../scim-client/test-connection';
import { createTestReport } from '../test-report';
import { READ_ONLY_HELP } from './classify';
import { createDrupalClient, DRUPAL_CAPABILITIES, type DrupalConnectionInput } from './client';
import { createRoleDirectory } from './roles';
import { entryPointAccount } from '../../outbound/drupal-login';
import { identified } from './identity';
import { USER_TYPE, userCollectionSchema, userDocumentSchema } from './schemas';
import { createDrupalTransport } from './transport';

export const CANCEL_METHOD_NOTE =
  'Delete sends DELETE /jsonapi/user/user/{uuid}; current Drupal cores apply the site\'s own cancel method to it ("When cancelling a user account" at admin/config/people/accounts: block, block and unpublish, delete and reassign content to Anonymous, or delete with content). The relay reads the account back after each deletion and reports whether it was deleted or kept blocked. Delete is off by default; Deactivate blocks the account (status = false).';

export async function testDrupalConnection(
  conn: DrupalConnectionInput,
  matching: readonly string[],
  opts: { existingUserName?: string; now?: () => Date; probeValue?: string } = {},
): Promise<TestConnectionResult> {
  // One login for the whole test: the entry point is read once, and nothing more is sent when the
  // site did not take the credentials (identity.ts) — a test must not feed flood control.
  const site = identified(createDrupalTransport(conn), conn.options.auth);
  const send = site.send;
  const client = createDrupalClient(conn, {}, site);
  const { steps, record, finish } = createTestReport('Drupal', DRUPAL_CAPABILITIES, opts.now);

  // 1. JSON:API is on at this address, and the credentials make us someone: Drupal names the
  // authenticated account in the entry point's meta.links.me (Drupal ≥ 8.7), and a wrong
  // password is answered as an anonymous visit without it.
  const entry = await site.entryPoint();
  if (!entry.ok) {
    const f = entry.failure;
    const detail =
      f.kind === 'transient' && f.status !== undefined && f.status < 300
        ? `The address answered, but not with JSON:API: check the base URL (the site's address, without /jsonapi) and that the core JSON:API module is enabled. (${f.message})`
        : f.message;
    record('test_connection', false, detail, entry);
    return finish(false);
  }
  if (!(USER_TYPE in entry.value.links)) {
    record('test_connection', false, 'JSON:API answers but offers no user--user resources: the user resource may be disabled (JSON:API Extras).', entry);
    return finish(false);
  }
  const me = entryPointAccount(entry.value);
  record(
    'test_connection',
    true,
    `JSON:API is on and the credentials are accepted (account ${me}). ${describeCapabilities(capabilitiesFrom(DRUPAL_CAPABILITIES, new Date()))}.`,
    entry,
  );

  // 2. The account sees users in full: mail and status, blocked accounts included.
  const list = await send('GET', '/user/user?page[limit]=50', readAs(userCollectionSchema, 'user--user collection'));
  if (!list.ok) {
    record('read', false, `Listing users failed: ${list.failure.message}`, list);
    if (list.failure.kind === 'fatal' || list.failure.kind === 'transient') return finish(false);
  } else {
    const named = list.value.data.filter((u) => typeof u.attributes.name === 'string' && u.attributes.name !== '');
    const hidden = named.some((u) => !('mail' in u.attributes) || !('status' in u.attributes)) || list.value.meta?.omitted !== undefined;
    if (named.length === 0)
      record(
        'read',
        false,
        'The site shows the relay\'s account no user names (label-only answers): give the account the "Administer users" permission.',
        list,
      );
    else if (hidden)
      record(
        'read',
        false,
        'The account cannot see users in full (their email, their status or blocked accounts): give it the "Administer users" permission, or matching and blocking cannot work.',
        list,
      );
    else record('read', true, 'The account sees users with their email and status, blocked accounts included.', list);
  }

  // 3. Each matching attribute as a filter, for a value nobody has.
  const probe = opts.probeValue ?? `relay-test-${crypto.randomUUID()}@example.invalid`;
  for (const path of matching) {
    const r = await client.findUsers(buildFilter(path, probe));
    if (r.ok && r.value.length === 0) record('match', true, `Matching on ${path} works: a made-up value finds nobody.`, r);
    else if (r.ok)
      record('match', false, `The site returned users for a made-up ${path}: it ignores the filter, so matching on ${path} would link the wrong accounts.`, r);
    else record('match', false, `Matching on ${path} failed: ${r.failure.message}`, r);
  }
  if (opts.existingUserName !== undefined) {
    const r = await client.findUsers(buildFilter('userName', opts.existingUserName));
    if (r.ok && r.value.length === 1) record('read', true, `Found ${opts.existingUserName} on the site (uuid ${r.value[0]!.id}).`, r);
    else if (r.ok) record('read', false, `No account named ${opts.existingUserName} on the site.`, r);
    else record('read', false, `Looking up ${opts.existingUserName} failed: ${r.failure.message}`, r);
  }

  // 4. The mapped roles exist and the account may see them.
  const mapped = Object.entries(conn.options.roleMap);
  if (mapped.length > 0) {
    const roles = await createRoleDirectory(send).uuids();
    if (!roles.ok) record('read', false, `Reading the site's roles failed: ${roles.failure.message}`, roles);
    else {
      const missing = mapped.filter(([, role]) => !roles.value.has(role));
      if (missing.length > 0)
        record('read', false, `The role map names roles the site does not have: ${missing.map(([g, r]) => `${g} → ${r}`).join(', ')}.`, roles);
      else record('read', true, `Roles found for every mapped group: ${mapped.map(([g, r]) => `${g} → ${r}`).join(', ')}.`, roles);
    }
  }

  // 5. May the account write users? A nameless user is refused after the access checks.
  const write = await send('POST', '/user/user', readAs(userDocumentSchema, 'user--user document'), {
    body: { data: { type: USER_TYPE, attributes: { name: '' } } },
    creating: true,
  });
  if (write.ok) {
    // The site accepted a nameless account: remove it again and say so.
    await send('DELETE', `/user/user/${encodeURIComponent(write.value.data.id)}`, readNothing);
    record('action', true, 'The account may create users (the site even accepted a user without a name; the relay removed it again).', write);
  } else if (write.failure.status === 422) record('action', true, 'The account may create and change users (JSON:API accepts writes).', write);
  else if (write.failure.status === 405) record('action', false, `JSON:API is read-only on this site. ${READ_ONLY_HELP}`, write);
  else if (write.failure.status === 403)
    record('action', false, 'The account may not create users: give it the "Administer users" permission (and "Administer permissions" for roles).', write);
  else record('action', false, `Could not check whether the account may write users: ${write.failure.message}`, write);
  steps.push({ step: 'action', ok: true, detail: CANCEL_METHOD_NOTE });
  return finish(true);
}
