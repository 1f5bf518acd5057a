/**
 * "Save and test" for a source: can the relay reach it, is JSON:API (or SCIM) there, did Drupal
 * take the credentials for an account (one request: a wrong password must not become several
 * failed logins), and may the account see what an import needs — `mail`, `status`, blocked
 * users, roles. Each problem comes with what to change on the site.
 */
import type { SourceCredentials, SourceTestResult } from '../../../shared/src/sources';
import type { Env } from '../env';
import { entryPointAccount, loginRefusedMessage } from '../outbound/drupal-login';
import { JSONAPI, readDrupalPage, usersUrl } from './drupal-reader';
import { remoteDetail, sourceHttp, type SourceHttp } from './http';
import { SourceError } from './remote';
import { readScimPage, scimListUrl } from './scim-reader';
import { loadSourceSecret } from './sources';
import { testJoomlaSource, testWordpressSource } from './test-cms-source';

type Step = SourceTestResult['steps'][number];

export async function testSource(env: Env, id: string, fetcher?: typeof fetch): Promise<SourceTestResult | null> {
  const loaded = await loadSourceSecret(env, id);
  if (!loaded) return null;
  const http = sourceHttp(loaded.credentials, fetcher);
  const { source } = loaded;
  switch (source.kind) {
    case 'drupal-jsonapi':
      return testDrupal(http, source.baseUrl, loaded.credentials.type, source.watermark !== null, source.settings.include.roles.length > 0);
    case 'wordpress-rest':
      return testWordpressSource(http, source.baseUrl);
    case 'joomla-webservices':
      return testJoomlaSource(http, source.baseUrl, loaded.credentials);
    case 'scim':
      return testScim(http, source.baseUrl);
  }
}

/** What a non-JSON answer is shown as: its status and content type, never its body (an internal page's contents). */
const described = (res: { status: number; headers: Headers }) => `${res.status} (${res.headers.get('content-type') ?? 'no content type'})`;

async function testDrupal(
  http: SourceHttp,
  baseUrl: string,
  auth: SourceCredentials['type'],
  workedBefore: boolean,
  needsRoles: boolean,
): Promise<SourceTestResult> {
  const steps: Step[] = [];
  const problems: string[] = [];
  const done = () => ({ ok: problems.length === 0, steps, problems });

  let entry;
  try {
    entry = await http.get(`${baseUrl}/jsonapi`, JSONAPI);
  } catch (err) {
    steps.push({ step: 'reach', ok: false, detail: (err as Error).message });
    problems.push(`The relay cannot reach ${baseUrl}: check the address and that the site is online.`);
    return done();
  }
  steps.push({ step: 'reach', ok: true, detail: `${baseUrl} answered ${entry.status}.` });
  const links = entry.json ? (entry.body as { links?: Record<string, unknown> } | undefined)?.links : undefined;
  if (entry.status === 401) {
    const said = entry.json ? remoteDetail(entry.body) : '';
    steps.push({ step: 'jsonapi', ok: false, detail: `401${said ? `: ${said}` : '.'}` });
    problems.push('Drupal refused the credentials. Check the user name and password (the core "HTTP Basic Authentication" module must be on) or the token.');
    return done();
  }
  if (entry.status === 404 || !links || typeof links !== 'object') {
    steps.push({
      step: 'jsonapi',
      ok: false,
      detail: `GET /jsonapi answered ${described(entry)}${entry.json && !links ? ' without a JSON:API entry point' : ''}.`,
    });
    problems.push('JSON:API is not on at this address. Enable the core "JSON:API" module (Extend → JSON:API), and give the site\'s address without /jsonapi.');
    return done();
  }
  // One login only: a wrong password is answered as an anonymous visit, and each further request
  // with it would be another failed login toward Drupal's flood control (../outbound/drupal-login.ts).
  const account = entryPointAccount(entry.body);
  if (!account) {
    const message = loginRefusedMessage(auth, { workedBefore });
    steps.push({ step: 'credentials', ok: false, detail: message });
    problems.push(message);
    return done();
  }
  steps.push({ step: 'credentials', ok: true, detail: `Drupal accepted the credentials (account ${account}).` });
  if (!('user--user' in links)) {
    steps.push({ step: 'jsonapi', ok: false, detail: 'The entry point lists no user--user resource.' });
    problems.push('JSON:API does not expose users on this site (the user resource is disabled, e.g. by JSON:API Extras). Enable it.');
    return done();
  }
  steps.push({ step: 'jsonapi', ok: true, detail: 'JSON:API is on and lists user--user.' });

  let page;
  try {
    page = await readDrupalPage(http, baseUrl, `${usersUrl(baseUrl)}?page[limit]=50&sort=drupal_internal__uid`);
  } catch (err) {
    if (!(err instanceof SourceError)) throw err;
    steps.push({ step: 'list', ok: false, detail: err.message });
    problems.push(err.message);
    return done();
  }
  steps.push({ step: 'list', ok: true, detail: `Listed ${page.users.length} account(s) on the first page${hiddenNote(page.hidden)}.` });
  if (page.users.length === 0) {
    problems.push('The account sees no user details (only names or nothing): it needs the "administer users" permission.');
    return done();
  }
  const mail = page.users.some((u) => u.email !== undefined);
  steps.push({ step: 'mail', ok: mail, detail: mail ? 'mail is visible.' : 'mail is hidden from this account.' });
  if (!mail) problems.push('The account cannot see email addresses: give it "administer users" (or "view user email addresses").');
  const status = page.users.some((u) => u.active !== undefined);
  steps.push({
    step: 'blocked',
    ok: status && page.hidden <= 1,
    detail: status
      ? page.hidden > 1
        ? 'Some accounts are hidden (blocked users omitted).'
        : 'status is visible; blocked users are listed.'
      : 'status is hidden: blocked users are not visible to this account.',
  });
  if (!status || page.hidden > 1)
    problems.push(
      'The account cannot see blocked users, so blocking someone in Drupal would not reach the directory: give it the "administer users" permission.',
    );
  const roles = page.users.some((u) => u.roles !== undefined);
  steps.push({ step: 'roles', ok: roles, detail: roles ? 'roles are visible.' : 'roles are hidden (they need "administer permissions").' });
  if (!roles && needsRoles)
    problems.push('The include filter uses roles, but the account cannot see roles: give it "administer permissions", or include all users.');
  return done();
}

/**
 * The first page sorted by uid starts with Drupal's anonymous user (uid 0), which JSON:API shows
 * to every account, admins included, as a label only: it is not an account the relay misses.
 */
function hiddenNote(hidden: number): string {
  const anonymous = "Drupal's anonymous user (uid 0), which JSON:API shows to everyone as a label only and the relay never imports";
  if (hidden === 0) return '';
  if (hidden === 1) return `; the one hidden is ${anonymous}`;
  return `; ${hidden} hidden: ${anonymous}, and ${hidden - 1} the account may not see (blocked users, or accounts beyond its permissions)`;
}

async function testScim(http: SourceHttp, baseUrl: string): Promise<SourceTestResult> {
  const steps: Step[] = [];
  const problems: string[] = [];
  try {
    const page = await readScimPage(http, scimListUrl(baseUrl, 1, null));
    steps.push({ step: 'list', ok: true, detail: `GET /Users answered with ${page.users.length} user(s) on the first page.` });
  } catch (err) {
    if (!(err instanceof SourceError)) throw err;
    steps.push({ step: 'list', ok: false, detail: err.message });
    problems.push(err.message);
    return { ok: false, steps, problems };
  }
  try {
    await readScimPage(http, scimListUrl(baseUrl, 1, '1970-01-01T00:00:00Z'));
    steps.push({ step: 'incremental', ok: true, detail: 'The server filters on meta.lastModified: imports are incremental.' });
  } catch (err) {
    if (!(err instanceof SourceError)) throw err;
    steps.push({ step: 'incremental', ok: true, detail: `The server does not filter on meta.lastModified (${err.message}); every import reads all users.` });
  }
  return { ok: problems.length === 0, steps, problems };
}
