/**
 * Asks a Drupal site who the relay is before anything else, once per client (one provisioning
 * pass). Drupal 10's basic_auth answers a wrong password — and, under flood control, the right
 * one — as the anonymous user (../../outbound/drupal-login.ts): the match by name would find
 * nobody, the match by mail get a 403, a create a 403 "not allowed", and each of those requests
 * would be one more failed login toward the 5 that lock the account out. So the entry point is
 * read first; when it names no account (`meta.links.me`), every request of this client answers
 * with that fatal failure without being sent, and the engine pauses the target.
 */
import { entryPointAccount, loginRefusedMessage } from '../../outbound/drupal-login';
import type { Failure } from '../failure';
import { readAs } from '../scim-client/readers';
import type { Result } from '../scim-client/types';
import { entryPointSchema } from './schemas';
import type { DrupalSend } from './transport';

export type EntryPoint = ReturnType<typeof entryPointSchema.parse>;

export interface IdentifiedSend {
  /** every request goes through here; for Basic auth, only once the site has named the account */
  send: DrupalSend;
  /** GET {jsonapi}, read once: the entry point, or why it cannot be used (a login refused included) */
  entryPoint(): Promise<Result<EntryPoint>>;
}

/** The site treated the relay as nobody: fatal, so the target is paused and no further login is tried. */
export function loginRefused(auth: 'basic' | 'bearer', status: number): Failure {
  return { kind: 'fatal', status, message: loginRefusedMessage(auth) };
}

/**
 * The engine makes a client per outbox row, all sharing the run's one (concurrency-limited)
 * `fetch`: the answer is kept per such fetch and site, so a run asks once, not once per row.
 * Held in memory only, and dropped with the run's fetch.
 */
const asked = new WeakMap<typeof fetch, Map<string, Promise<Result<EntryPoint>>>>();

export interface ShareScope {
  /** the run's fetch: clients created with it share one answer */
  fetch: typeof fetch;
  /** the site and credentials the answer is about */
  key: string;
}

export function identified(raw: DrupalSend, auth: 'basic' | 'bearer', share?: ShareScope): IdentifiedSend {
  let entry: Promise<Result<EntryPoint>> | undefined;
  const ask = () =>
    raw('GET', '', readAs(entryPointSchema, 'JSON:API entry point'), { discovery: true }).then((r): Result<EntryPoint> => {
      if (r.ok && !entryPointAccount(r.value)) return { ok: false, failure: loginRefused(auth, r.status) };
      return r;
    });
  const entryPoint = () => {
    if (entry) return entry;
    if (!share) return (entry = ask());
    const bySite = asked.get(share.fetch) ?? asked.set(share.fetch, new Map()).get(share.fetch)!;
    entry = bySite.get(share.key) ?? ask();
    bySite.set(share.key, entry);
    return entry;
  };
  // A bearer token the site does not know is refused outright (simple_oauth answers 401).
  if (auth !== 'basic') return { send: raw, entryPoint };
  const send: DrupalSend = async (method, path, read, opts) => {
    const known = await entryPoint();
    // Only a fatal answer stops the request (a refused login, no JSON:API here); a transient one
    // (a 503, a timeout) leaves the request to meet the site's state on its own.
    if (!known.ok && known.failure.kind === 'fatal') return { ok: false, failure: known.failure };
    return raw(method, path, read, opts);
  };
  return { send, entryPoint };
}
