import { capabilitiesFrom, describeCapabilities } from '../scim-client/capabilities';
import { buildFilter } from '../scim-client/filter';
import { readAs } from '../scim-client/readers';
import type { TestConnectionOptions, TestConnectionResult } from '../scim-client/test-connection';
import { createTestReport } from '../test-report';
import { TOKEN_HELP } from './classify';
import { createJoomlaClient, JOOMLA_CAPABILITIES, type JoomlaConnectionInput } from './client';
import { groupIds, joomlaUserCollectionSchema, joomlaUserDocumentSchema } from './schemas';
import { createJoomlaTransport } from './transport';

export async function testJoomlaConnection(
  conn: JoomlaConnectionInput,
  matching: readonly string[],
  opts: TestConnectionOptions = {},
): Promise<TestConnectionResult> {
  const send = createJoomlaTransport(conn);
  const client = createJoomlaClient(conn);
  const { steps, record, finish } = createTestReport('Joomla', JOOMLA_CAPABILITIES, opts.now);

  // 1. The users API answers, to this token, with this Accept header.
  const list = await send('GET', '/v1/users', readAs(joomlaUserCollectionSchema, 'Joomla user collection'), { query: 'page[limit]=1', discovery: true });
  if (!list.ok) {
    const f = list.failure;
    const detail =
      f.status === 401
        ? `The Joomla site refused the API token (401 "Forbidden", which Joomla answers for every reason): the token is wrong, or the plugin "API Authentication - Web Services Joomla Token" or "User - Joomla API Token" is disabled, or the token's user is not a Super User (by default the only ones a token works for), is blocked, or must reset its password. ${TOKEN_HELP}`
        : f.kind === 'transient' && f.status !== undefined && f.status < 300
          ? `The address answered, but not with the Joomla Web Services API: check the base URL and the API path (/api/index.php). (${f.message})`
          : f.message;
    record('test_connection', false, detail, list);
    return finish(false);
  }
  record(
    'test_connection',
    true,
    `The Joomla Web Services API answers and accepts the token. ${describeCapabilities(capabilitiesFrom(JOOMLA_CAPABILITIES, new Date()))}.`,
    list,
  );

  // 2. The token's account, read from the token, is a Super User.
  const self = client.tokenUser();
  if (self === undefined) {
    record('read', true, 'The token does not name its account (not a core Joomla token?): the relay cannot tell which account to protect.');
  } else {
    const me = await send('GET', `/v1/users/${self}`, readAs(joomlaUserDocumentSchema, 'Joomla user document'));
    if (!me.ok) record('read', false, `Could not read the token's account (user ${self}): ${me.failure.message}`, me);
    else if (!groupIds(me.value.data).some((g) => conn.options.superUserGroups.includes(g))) {
      record(
        'read',
        false,
        `The token belongs to "${me.value.data.attributes.username ?? self}" (user ${self}), who is not a Super User: Joomla accepts API tokens only from Super Users by default, and managing users needs a Super User. Use a Super User's token.`,
        me,
      );
    } else record('read', true, `The token belongs to the Super User "${me.value.data.attributes.username ?? self}" (user ${self}).`, me);
  }

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

  // 4. The groups the relay assigns exist (Joomla drops an unknown group id without a word).
  const groups = await client.listGroups();
  if (!groups.ok) record('read', false, `Reading the site's user groups failed: ${groups.failure.message}`, groups);
  else {
    const known = new Map(groups.value.map((g) => [g.id, g.name]));
    const wanted = [
      ...Object.entries(conn.options.roleMap).map(([g, id]) => [g, id] as const),
      ...conn.options.defaultGroups.map((id) => ['(new accounts)', id] as const),
    ];
    const missing = wanted.filter(([, id]) => !known.has(String(id)));
    if (missing.length > 0)
      record(
        'read',
        false,
        `The site has no user group with the id(s) ${missing.map(([g, id]) => `${id} (${g})`).join(', ')}: Joomla would drop them silently. Correct options.roleMap / defaultGroups.`,
        groups,
      );
    else record('read', true, `User groups found: ${wanted.map(([g, id]) => `${g} → ${known.get(String(id))} (${id})`).join(', ')}.`, groups);
  }

  // 5. May the token write users? An empty account is refused after the access checks.
  const write = await send('POST', '/v1/users', readAs(joomlaUserDocumentSchema, 'Joomla user document'), { body: {}, creating: true });
  if (write.ok) {
    await send('DELETE', `/v1/users/${encodeURIComponent(write.value.data.id)}`, readAs(joomlaUserCollectionSchema.partial(), 'nothing'), { deleting: true });
    record('action', true, 'The token may create users (the site even accepted an empty one; the relay removed it again).', write);
  } else if (write.failure.status === 400) record('action', true, 'The token may create and change users (the API validates writes).', write);
  else record('action', false, `Could not confirm the token may write users: ${write.failure.message}`, write);
  steps.push({
    step: 'action',
    ok: true,
    detail: `Protected: the relay never changes the token's own account${self ? ` (user ${self})` : ''}${conn.options.allowSuperUsers ? '' : ', nor any Super User'}. Deactivating an account blocks it (block = 1); reactivating unblocks it with its groups kept.`,
  });
  return finish(true);
}
