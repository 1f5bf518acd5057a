/**
 * Relay A (the relay the extension talks to) and relay B (A's SCIM target): both the real worker,
 * bundled with esbuild and served by workerd through Miniflare on 127.0.0.1 with their own D1
 * (test/support/relay-b.ts starts either). Helpers speak the admin API and SCIM over HTTP.
 */
import { httpCall, type HttpResult } from '../../support/http-call.ts';
import { startRelayB, type RelayB } from '../../support/relay-b.ts';

export const RELAY_A_TOKEN = 'ext-relay-a-bootstrap-token-0123456789abcdef';
export const RELAY_B_TOKEN = 'ext-relay-b-bootstrap-token-0123456789abcdef';
const keyA = Buffer.from(Array.from({ length: 32 }, (_, i) => i * 3)).toString('base64');
const keyB = Buffer.from(Array.from({ length: 32 }, (_, i) => 200 - i)).toString('base64');

export type { HttpResult } from '../../support/http-call.ts';

export interface Relay {
  url: string;
  token: string;
  /** `/api/v1` with the relay's admin (bootstrap) token. */
  api(method: string, path: string, body?: unknown): Promise<HttpResult>;
  /** `/scim/v2` with the relay's bootstrap token (every scope). */
  scim(method: string, path: string, body?: unknown): Promise<HttpResult>;
  /** Sends a message to the relay's work queue (a relay started with `queues`). */
  sendWork(body: unknown): Promise<void>;
  close(): Promise<void>;
}

async function call(url: string, method: string, token: string, contentType: string, body?: unknown): Promise<HttpResult> {
  const headers: Record<string, string> = { authorization: `Bearer ${token}`, accept: contentType };
  if (body !== undefined) headers['content-type'] = contentType;
  return httpCall(url, method, headers, body === undefined ? undefined : JSON.stringify(body));
}

function wrap(started: RelayB): Relay {
  return {
    url: started.url,
    token: started.token,
    api: (method, path, body) => call(`${started.url}/api/v1${path}`, method, started.token, 'application/json', body),
    scim: (method, path, body) => call(`${started.url}/scim/v2${path}`, method, started.token, 'application/scim+json', body),
    sendWork: (body) => started.sendWork(body),
    close: () => started.close(),
  };
}

export async function startRelay(token: string, encryptionKey: string, opts: { queues?: boolean; vars?: Record<string, string> } = {}): Promise<Relay> {
  return wrap(await startRelayB({ bootstrapToken: token, encryptionKey, ...opts }));
}

export interface RelayPair {
  a: Relay;
  b: Relay;
  /** Relay B as a target of relay A (manual mode on, as the extension's "Provision" needs). */
  targetId: string;
  close(): Promise<void>;
}

/** Starts relay A and relay B side by side and registers B as A's target named "Relay B". */
export async function startRelayPair(): Promise<RelayPair> {
  const [a, b] = await Promise.all([startRelay(RELAY_A_TOKEN, keyA), startRelay(RELAY_B_TOKEN, keyB)]);
  const close = async () => {
    await Promise.all([a.close(), b.close()]);
  };
  try {
    const target = await a.api('POST', '/targets', { name: 'Relay B', baseUrl: `${b.url}/scim/v2`, token: b.token });
    if (target.status !== 201) throw new Error(`creating relay B as a target: ${target.status} ${target.text}`);
    return { a, b, targetId: (target.body as { id: string }).id, close };
  } catch (e) {
    await close();
    throw e;
  }
}

/** Creates a user on a relay through SCIM and returns its id. */
export async function createScimUser(relay: Relay, userName: string, extra: Record<string, unknown> = {}): Promise<string> {
  const res = await relay.scim('POST', '/Users', {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
    userName,
    emails: [{ value: `${userName}@example.test`, type: 'work', primary: true }],
    active: true,
    ...extra,
  });
  if (res.status !== 201) throw new Error(`creating ${userName}: ${res.status} ${res.text}`);
  return (res.body as { id: string }).id;
}

/** The user with this userName on a relay, or undefined. */
export async function findScimUser(relay: Relay, userName: string): Promise<Record<string, any> | undefined> {
  const res = await relay.scim('GET', `/Users?filter=${encodeURIComponent(`userName eq "${userName}"`)}`);
  if (res.status !== 200) throw new Error(`searching ${userName}: ${res.status} ${res.text}`);
  return (res.body as { Resources: Record<string, any>[] }).Resources[0];
}
