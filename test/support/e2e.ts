/**
 * Helpers for end-to-end tests, run inside workerd next to relay A (the worker under test).
 * Relay B and the fault target are real servers on 127.0.0.1, started by
 * test/support/global-setup.ts; their URLs and tokens arrive through vitest's `inject`.
 *
 * Test files run in parallel and share both servers: use unique userNames on relay B, and take
 * a fresh fault target per test with `newFaultTarget()` (the default one is shared).
 */
import { createExecutionContext, createScheduledController, env, waitOnExecutionContext } from 'cloudflare:test';
import { inject } from 'vitest';
import type { Env } from '../../worker/src/env';
import worker from '../../worker/src/index';
import { parseLimits } from '../../worker/src/limits/profile';
import { countOf, createTarget } from '../helpers/api';
import { eventually } from '../helpers/eventually';
import { ops } from '../helpers/operations';
import { httpCall, type HttpResult } from './http-call';
import type { Fault, LoggedRequest, ProxiedRequest, ProxyFault, RequestLog, TargetConfig, TargetState } from './provided-context';

export type { Fault, LoggedRequest, ProxiedRequest, ProxyFault, RequestLog, TargetConfig, TargetState } from './provided-context';

const SCIM_JSON = 'application/scim+json';

// global-setup.ts hands over its failure rather than failing the whole run; fail here instead.
const setupError = inject('e2eSetupError');
if (setupError) throw new Error(setupError);

export type { HttpResult } from './http-call';

async function call(url: string, method: string, token: string | null, body?: unknown, headers: Record<string, string> = {}): Promise<HttpResult> {
  const h: Record<string, string> = { accept: SCIM_JSON, ...headers };
  if (token !== null) h.authorization = `Bearer ${token}`;
  if (body !== undefined) h['content-type'] ??= SCIM_JSON;
  return httpCall(url, method, h, body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body));
}

async function ok<T>(res: Promise<HttpResult>, what: string): Promise<T> {
  const r = await res;
  if (r.status >= 300) throw new Error(`${what}: ${r.status} ${r.text}`);
  return r.body as T;
}

/** Relay B: another relay, over real HTTP, as a downstream SCIM target or an upstream source. */
export const relayB = {
  url: inject('relayBUrl'),
  scimUrl: `${inject('relayBUrl')}/scim/v2`,
  token: inject('relayBToken'),
  /** Same as `scimB`. */
  scim: (method: string, path: string, body?: unknown, opts?: { token?: string | null; headers?: Record<string, string> }) => scimB(method, path, body, opts),
  /** Run relay B's cron through Miniflare's trigger route (v5: /cdn-cgi/local/scheduled; v4 had /cdn-cgi/handler/scheduled). */
  async runCron(cron = '*/5 * * * *'): Promise<void> {
    const res = await call(`${relayB.url}/cdn-cgi/local/scheduled?format=json&cron=${encodeURIComponent(cron)}`, 'GET', null);
    if (res.status !== 200 || res.body?.outcome !== 'ok') throw new Error(`relay B cron: ${res.status} ${res.text}`);
  },
};

/** Call relay B's SCIM API (`path` below /scim/v2, or an absolute URL) with its bootstrap token. */
export function scimB(
  method: string,
  path: string,
  body?: unknown,
  opts: { token?: string | null; headers?: Record<string, string> } = {},
): Promise<HttpResult> {
  const url = path.startsWith('http') ? path : `${relayB.scimUrl}${path}`;
  return call(url, method, opts.token === undefined ? relayB.token : opts.token, body, opts.headers);
}

export interface FaultTargetHandle {
  /** Root of this target (control API at `${root}/__control`). */
  root: string;
  /** The SCIM base URL to configure in relay A. */
  scimUrl: string;
  /** The bearer token the target accepts. */
  token: string;
  /** Replace the fault queue (or append to it). */
  setFaults(faults: Fault[], opts?: { append?: boolean }): Promise<void>;
  clearFaults(): Promise<void>;
  /** Faults still queued, with the uses each has left. */
  pendingFaults(): Promise<(Fault & { left: number })[]>;
  /** Every SCIM request so far (or after `since`, a `seq`), and counts per route. */
  log(since?: number): Promise<RequestLog>;
  requests(since?: number): Promise<LoggedRequest[]>;
  /** Requests per route, e.g. `{ "POST /scim/v2/Users": 1 }`. */
  counts(since?: number): Promise<Record<string, number>>;
  clearLog(): Promise<void>;
  state(): Promise<TargetState>;
  configure(config: Partial<TargetConfig>): Promise<TargetConfig>;
  /** Empty directory, no faults, empty log, default config. */
  reset(): Promise<void>;
  /** Call the target's SCIM API directly, e.g. to seed a user that already exists. */
  scim(method: string, path: string, body?: unknown): Promise<HttpResult>;
}

function faultTargetAt(root: string): FaultTargetHandle {
  const control = `${root}/__control`;
  const token = inject('faultTargetToken');
  const handle: FaultTargetHandle = {
    root,
    scimUrl: `${root}/scim/v2`,
    token,
    async setFaults(faults, opts = {}) {
      await ok(call(`${control}/faults`, 'POST', null, { faults, append: opts.append === true }), 'setFaults');
    },
    async clearFaults() {
      await ok(call(`${control}/faults`, 'DELETE', null), 'clearFaults');
    },
    async pendingFaults() {
      return (await ok<{ pending: (Fault & { left: number })[] }>(call(`${control}/faults`, 'GET', null), 'pendingFaults')).pending;
    },
    log: (since = 0) => ok<RequestLog>(call(`${control}/requests?since=${since}`, 'GET', null), 'requests'),
    requests: async (since) => (await handle.log(since)).requests,
    counts: async (since) => (await handle.log(since)).counts,
    async clearLog() {
      await ok(call(`${control}/requests`, 'DELETE', null), 'clearLog');
    },
    state: () => ok<TargetState>(call(`${control}/state`, 'GET', null), 'state'),
    configure: (config) => ok<TargetConfig>(call(`${control}/config`, 'POST', null, config), 'configure'),
    async reset() {
      await ok(call(`${control}/reset`, 'POST', null), 'reset');
    },
    scim: (method, path, body) => call(path.startsWith('http') ? path : `${root}/scim/v2${path}`, method, token, body),
  };
  return handle;
}

/** The shared fault target at the server's root. Prefer `newFaultTarget()` in tests. */
export const faultTarget = faultTargetAt(inject('faultTargetUrl'));

/** A fault target of its own: an independent directory, fault queue and request log. */
export function newFaultTarget(name = crypto.randomUUID()): FaultTargetHandle {
  return faultTargetAt(`${inject('faultTargetUrl')}/t/${encodeURIComponent(name)}`);
}

/**
 * A scheduled target on relay A that provisions into fault target `t` (create, update and
 * deactivate), with no initial sync: only what the test creates goes to it, not the users earlier
 * tests left in this D1. `extra` overrides or adds settings (a threshold…).
 */
export async function scheduledFaultTarget(t: FaultTargetHandle, extra: Record<string, unknown> = {}): Promise<{ id: string }> {
  return createTarget(`fault ${crypto.randomUUID().slice(0, 6)}`, {
    baseUrl: t.scimUrl,
    token: t.token,
    modes: { scheduled: { enabled: true, intervalMinutes: 1, operations: ops() } },
    initialSync: false,
    ...extra,
  });
}

/**
 * Run relay A's cron the way Cron Triggers would: its `scheduled` handler with a scheduled
 * controller and an execution context, waiting for everything it left in `waitUntil`.
 */
export async function runCron(cron = '*/5 * * * *', scheduledTime = Date.now()): Promise<void> {
  const controller = createScheduledController({ cron, scheduledTime });
  const ctx = createExecutionContext();
  // Called as the runtime calls it: through ExportedHandler, whatever parameters it declares.
  const handler: ExportedHandler<Env> = worker;
  if (!handler.scheduled) throw new Error('the worker has no scheduled handler');
  await handler.scheduled(controller, env, ctx);
  await waitOnExecutionContext(ctx);
}

/**
 * Cron ticks until the target's outbox is empty, at most `most`: on Free a tick holds one run of a
 * few rows (worker/src/limits/cpu.ts), so a backlog takes several. A scheduled target that did
 * not drain stays due; answers the ticks it took.
 */
export async function runCronUntilDrained(targetId: string, most = 50): Promise<number> {
  const waiting = () => countOf("SELECT count(*) AS n FROM outbox WHERE target_id = ? AND state IN ('pending', 'leased')", targetId);
  let ticks = 0;
  do {
    await runCron();
    ticks++;
  } while (ticks < most && (await waiting()) > 0);
  return ticks;
}

/** A route to relay B through the fault proxy (fault-proxy/server.ts), with its own fault queue and log. */
export interface RelayBProxyHandle {
  /** relay B's SCIM base URL, through the proxy: the target's baseUrl */
  scimUrl: string;
  setFaults(faults: ProxyFault[]): Promise<void>;
  clearFaults(): Promise<void>;
  requests(): Promise<ProxiedRequest[]>;
}

export function relayBProxy(name = crypto.randomUUID()): RelayBProxyHandle {
  const root = `${inject('relayBProxyUrl')}/t/${encodeURIComponent(name)}`;
  return {
    scimUrl: `${root}/scim/v2`,
    async setFaults(faults) {
      await ok(call(`${root}/__control/faults`, 'POST', null, { faults }), 'setFaults');
    },
    async clearFaults() {
      await ok(call(`${root}/__control/faults`, 'DELETE', null), 'clearFaults');
    },
    requests: async () => (await ok<{ requests: ProxiedRequest[] }>(call(`${root}/__control/requests`, 'GET', null), 'requests')).requests,
  };
}

/**
 * Reads until `ok` holds or `ms` have passed, as `eventually` does, for what automatic mode
 * provisions after a change. On Paid the invocation that made the change has room to provision
 * it itself (in its waitUntil), so only time passes. On Free the change (an import page, an
 * approval of 20 deletions) may spend most of the invocation's 50 D1 queries and subrequests, and
 * the cron picks up what is left (README "Limits"): relay A's cron also runs between reads.
 */
export async function provisioned<T>(read: () => Promise<T>, ok: (v: T) => boolean, ms = 8000): Promise<T> {
  if (parseLimits(env.RELAY_LIMITS).name !== 'free') return eventually(read, ok, ms);
  return eventually(
    async () => {
      const v = await read();
      if (!ok(v)) await runCron();
      return v;
    },
    ok,
    ms,
  );
}
