/**
 * Calls the admin API (/api/v1) through the worker's own fetch handler (SELF), with the
 * bootstrap token unless told otherwise. Storage is a real D1 in workerd.
 */
import { env, SELF } from 'cloudflare:test';
import { sha256Hex } from '../../worker/src/auth/tokens';
import { TEST_TOKEN } from './scim';

export const API = 'http://relay.test/api/v1';

export interface ApiResponse {
  status: number;
  headers: Headers;
  /** parsed JSON body, or undefined for an empty body */
  body: any;
  text: string;
}

export interface ApiRequestOptions {
  /** send this raw string instead of JSON.stringify(body) */
  raw?: string;
  /** another bearer token, or null for none */
  token?: string | null;
}

export async function api(method: string, path: string, body?: unknown, opts: ApiRequestOptions = {}): Promise<ApiResponse> {
  const headers: Record<string, string> = { accept: 'application/json' };
  const token = opts.token === undefined ? TEST_TOKEN : opts.token;
  if (token !== null) headers.authorization = `Bearer ${token}`;
  const payload = opts.raw ?? (body === undefined ? undefined : JSON.stringify(body));
  if (payload !== undefined) headers['content-type'] = 'application/json';
  const res = await SELF.fetch(`${API}${path}`, { method, headers, body: payload });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined, text };
}

/** Stores an API token with the given scopes (as `npm run token` does) and returns its secret. */
export async function createApiToken(scopes: string[]): Promise<string> {
  const secret = `srt_test_${crypto.randomUUID()}`;
  await env.DB.prepare('INSERT INTO tokens (id, name, hash, scopes) VALUES (?, ?, ?, ?)')
    .bind(crypto.randomUUID(), `test ${scopes.join(' ')}`, await sha256Hex(secret), scopes.join(' '))
    .run();
  return secret;
}

/** The `n` of a `SELECT count(*) AS n …` on relay A's D1, its `?`s bound to `binds`. */
export const countOf = async (sql: string, ...binds: unknown[]): Promise<number> =>
  (await env.DB.prepare(sql)
    .bind(...binds)
    .first<{ n: number }>())!.n;

export const TARGET_TOKEN = 'target-secret-token-do-not-leak-0123456789';

/** Creates a target through the API; fails the test on anything but 201. */
export async function createTarget(name: string, extra: Record<string, unknown> = {}): Promise<any> {
  const res = await api('POST', '/targets', { name, baseUrl: 'https://app.example.com/scim/v2/', token: TARGET_TOKEN, ...extra });
  if (res.status !== 201) throw new Error(`createTarget ${name}: ${res.status} ${res.text}`);
  return res.body;
}

/** Inserts an outbox row directly (the dispatcher's states are set up, not driven). */
export async function insertOutboxRow(
  targetId: string,
  resourceId: string,
  state: string,
  extra: { attempts?: number; lastError?: string; at?: string } = {},
): Promise<number> {
  const at = extra.at ?? '2026-01-01T00:00:00.000Z';
  const row = await env.DB.prepare(
    `INSERT INTO outbox (target_id, resource_type, resource_id, state, attempts, next_attempt_at, last_error, enqueued_at, updated_at)
     VALUES (?, 'User', ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
  )
    .bind(targetId, resourceId, state, extra.attempts ?? 3, '2099-01-01T00:00:00.000Z', extra.lastError ?? null, at, at)
    .first<{ id: number }>();
  return row!.id;
}

export async function outboxRow(id: number): Promise<any> {
  return env.DB.prepare('SELECT state, attempts, approved, next_attempt_at AS nextAttemptAt FROM outbox WHERE id = ?').bind(id).first();
}
