/**
 * "Save and test" for WordPress and Joomla sources, in words an admin can act on. The questions
 * and their wording follow the targets' tests (../provisioning/wordpress-client/test-connection.ts,
 * ../provisioning/joomla-client/test-connection.ts); a source only reads, so only what an
 * import needs is asked: the API is there, the credentials really sign in, the account may list
 * users with their email, roles or groups and blocked state.
 */
import type { SourceCredentials, SourceTestResult } from '../../../shared/src/sources';
import { APP_PASSWORDS_HELP } from '../provisioning/wordpress-client/classify';
import { tokenUserId } from '../provisioning/joomla-client/transport';
import type { SourceHttp } from './http';
import { joomlaIdUrl, joomlaListUrl, readJoomlaPage } from './joomla-reader';
import { SourceError } from './remote';
import { readWordpressPage, WP_JSON, WP_SIGNED_OUT, wpListUrl, wpUsersUrl, wordpressFailure } from './wordpress-reader';

type Step = SourceTestResult['steps'][number];

function recorder() {
  const steps: Step[] = [];
  const problems: string[] = [];
  return {
    steps,
    problems,
    ok: (step: string, detail: string) => void steps.push({ step, ok: true, detail }),
    bad: (step: string, detail: string, problem = detail) => {
      steps.push({ step, ok: false, detail });
      problems.push(problem);
    },
    done: (): SourceTestResult => ({ ok: problems.length === 0, steps, problems }),
  };
}

const described = (res: { status: number; headers: Headers }) => `${res.status} (${res.headers.get('content-type') ?? 'no content type'})`;

export async function testWordpressSource(http: SourceHttp, baseUrl: string): Promise<SourceTestResult> {
  const r = recorder();
  // 1. The REST index: is the API here, and are Application Passwords available at all?
  let index;
  try {
    index = await http.get(`${baseUrl}/wp-json/`, WP_JSON);
  } catch (err) {
    r.bad('reach', (err as Error).message, `The relay cannot reach ${baseUrl}: check the address and that the site is online.`);
    return r.done();
  }
  r.ok('reach', `${baseUrl} answered ${index.status}.`);
  const body = index.body as { namespaces?: unknown; authentication?: unknown; name?: unknown } | undefined;
  if (index.status !== 200 || !index.json || !Array.isArray(body?.namespaces) || !body.namespaces.includes('wp/v2')) {
    r.bad(
      'rest',
      `GET /wp-json/ answered ${described(index)} without the WordPress REST index.`,
      'The WordPress REST API is not at this address: give the site\'s address (the relay reads /wp-json below it), and turn on pretty permalinks (Settings → Permalinks: anything but "Plain").',
    );
    return r.done();
  }
  const auth = body.authentication;
  const appPasswords = !!auth && typeof auth === 'object' && !Array.isArray(auth) && 'application-passwords' in auth;
  if (!appPasswords) {
    r.bad(
      'rest',
      'The REST index announces no Application Passwords.',
      `Application Passwords are unavailable on this site: WordPress offers them only over https (or where WP_ENVIRONMENT_TYPE is "local"), and a plugin may switch them off. Serve the site over https. ${APP_PASSWORDS_HELP}`,
    );
    return r.done();
  }
  r.ok(
    'rest',
    `The WordPress REST API answers${typeof body.name === 'string' && body.name ? ` for "${body.name}"` : ''} and Application Passwords are available.`,
  );

  // 2. Who the credentials sign in as: a wrong Application Password is silently anonymous.
  const meUrl = `${wpUsersUrl(baseUrl)}/me?context=edit`;
  const me = await http.get(meUrl, WP_JSON);
  if (me.status === 401) {
    r.bad('credentials', `GET /users/me answered 401: WordPress took the relay for an anonymous visitor.`, WP_SIGNED_OUT);
    return r.done();
  }
  if (me.status !== 200) {
    const f = wordpressFailure(me.status, me.body, meUrl);
    r.bad('credentials', f.message);
    return r.done();
  }
  const account = me.body as { username?: unknown; capabilities?: Record<string, unknown> } | undefined;
  r.ok('credentials', `WordPress signed the relay in as "${String(account?.username ?? '?')}".`);
  if (account?.capabilities && typeof account.capabilities === 'object' && account.capabilities.list_users !== true) {
    r.bad(
      'capabilities',
      `"${String(account.username)}" lacks the list_users capability.`,
      `The account "${String(account.username)}" may not list users with their email and roles: use an administrator's Application Password (the "list_users" capability).`,
    );
    return r.done();
  }

  // 3. The listing an import reads.
  try {
    const page = await readWordpressPage(http, wpListUrl(baseUrl));
    r.ok(
      'list',
      `Listed ${page.users.length} user(s) on the first page, with email and roles. WordPress keeps no modified date for users, so every import reads all users (100 a page); a user without any role is imported as deactivated.`,
    );
    if (page.users.length === 0)
      r.bad('list', 'The listing is empty.', "The site lists no users to this account: use an administrator's Application Password.");
  } catch (err) {
    if (!(err instanceof SourceError)) throw err;
    r.bad('list', err.message);
  }
  return r.done();
}

export async function testJoomlaSource(http: SourceHttp, baseUrl: string, credentials: SourceCredentials): Promise<SourceTestResult> {
  const r = recorder();
  // 1. The users API answers to these credentials (Joomla refuses wrong ones with a 401, never silently).
  let page;
  try {
    page = await readJoomlaPage(http, baseUrl, joomlaListUrl(baseUrl));
  } catch (err) {
    if (!(err instanceof SourceError)) throw err;
    if (err.status === null) {
      r.bad('reach', err.message, `The relay cannot reach ${baseUrl}: check the address and that the site is online.`);
      return r.done();
    }
    r.ok('reach', `${baseUrl} answered ${err.status}.`);
    r.bad(err.status === 401 ? 'credentials' : 'list', err.message);
    return r.done();
  }
  r.ok('reach', `${baseUrl} answered 200.`);
  r.ok('credentials', 'Joomla accepted the credentials.');
  r.ok(
    'list',
    `Listed ${page.users.length} user(s) on the first page, with email, groups and blocked state. Joomla's API offers no modified-date filter, so every import reads all users (100 a page).`,
  );
  if (page.users.length === 0) r.bad('list', 'The listing is empty.', "The site lists no users to this account: use a Super User's token.");

  // 2. Whose token it is: only a Super User's token is accepted by default, and only a Super
  // User sees every account.
  const self = credentials.type === 'bearer' ? tokenUserId(credentials.token) : undefined;
  if (self !== undefined) {
    try {
      const mine = (await readJoomlaPage(http, baseUrl, joomlaIdUrl(baseUrl, self))).users[0];
      if (mine && !(mine.roles ?? []).includes('Super Users')) {
        r.bad(
          'account',
          `The token belongs to "${mine.name}" (user ${self}), who is not in Super Users.`,
          `The token belongs to "${mine.name}", who is not a Super User: use a Super User's token (Joomla accepts tokens from Super Users by default, and only a Super User sees every account).`,
        );
      } else if (mine) r.ok('account', `The token belongs to the Super User "${mine.name}" (user ${self}).`);
    } catch (err) {
      if (!(err instanceof SourceError)) throw err;
      r.bad('account', `Could not read the token's account (user ${self}): ${err.message}`);
    }
  }
  return r.done();
}
