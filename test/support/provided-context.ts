/**
 * What test/support/global-setup.ts hands to the tests through vitest's `provide` / `inject`,
 * and the fault target's wire types. Types only: this file is read both by the Node side
 * (global setup, fault target) and by test code running in workerd.
 */

/** Which requests a fault applies to. Every field given must match; none given matches all. */
export interface FaultMatch {
  /** HTTP method, case-insensitive. */
  method?: string;
  /** Path below the target's root, e.g. `/scim/v2/Users` or `/scim/v2/Users/*` (`*` = any run of characters). */
  path?: string;
  /** A substring the raw request body must contain, e.g. `"userName":"ada"`. */
  bodyIncludes?: string;
}

/** A canned answer instead of the target's own. */
export interface FaultResponse {
  status: number;
  headers?: Record<string, string>;
  /** JSON body (sent as application/scim+json). */
  body?: unknown;
  /** Raw body sent verbatim; wins over `body`. */
  rawBody?: string;
}

/**
 * One entry of the fault queue. Each request takes the first entry whose `match` fits; the
 * entry is used `times` times (default 1), then dropped. `delayMs` waits before acting; then
 * `reset` destroys the socket, `respond` answers, and with neither the target answers normally.
 */
export interface Fault {
  match?: FaultMatch;
  times?: number;
  delayMs?: number;
  reset?: boolean;
  respond?: FaultResponse;
}

/** A fault of the proxy in front of relay B: with `forwardFirst`, relay B applies the request and its answer is replaced. */
export type ProxyFault = Fault & { forwardFirst?: boolean };

/** One request as the fault proxy saw it. */
export interface ProxiedRequest {
  method: string;
  /** path below /scim/v2 */
  path: string;
  body: unknown;
  /** relay B's status, or null when the request never reached it */
  upstreamStatus: number | null;
  /** what the client got */
  status: number | 'reset';
}

/** One request as the fault target saw it. */
export interface LoggedRequest {
  seq: number;
  at: string;
  method: string;
  /** Path below the target's root, without the query. */
  path: string;
  /** Method and path with resource ids replaced by `:id`, e.g. `PATCH /scim/v2/Users/:id`. */
  route: string;
  query: Record<string, string>;
  /** Parsed JSON, the raw text when it is not JSON, or null when empty. */
  body: unknown;
  hasAuthorization: boolean;
  /** The bearer token matched the target's token. */
  authorized: boolean;
  /** What the fault queue did to this request, if anything. */
  fault: 'respond' | 'reset' | 'delay' | null;
}

export interface RequestLog {
  requests: LoggedRequest[];
  /** Requests per `route`, e.g. `{ "POST /scim/v2/Users": 3 }`. */
  counts: Record<string, number>;
}

export interface TargetState {
  users: Record<string, unknown>[];
  groups: Record<string, unknown>[];
}

/** Switches of the fault target that tests may change (POST /__control/config). */
export interface TargetConfig {
  /** ServiceProviderConfig `patch.supported` (default true). */
  patch: boolean;
  /** ServiceProviderConfig `bulk.supported` (default false; the target has no /Bulk either way). */
  bulk: boolean;
}

declare module 'vitest' {
  export interface ProvidedContext {
    /** Why relay B or the fault target did not start, or null when both run. */
    e2eSetupError: string | null;
    /** Relay B's origin, e.g. `http://127.0.0.1:40123`. */
    relayBUrl: string;
    /** The fault proxy in front of relay B (fault-proxy/server.ts): `${relayBProxyUrl}/t/<name>/scim/v2`. */
    relayBProxyUrl: string;
    /** Relay B's RELAY_BOOTSTRAP_TOKEN (every scope). */
    relayBToken: string;
    /** The fault target's origin. */
    faultTargetUrl: string;
    /** The bearer token the fault target accepts. */
    faultTargetToken: string;
    /** PROPERTY_SEED from the environment: the one seed the property tests replay, or null. */
    propertySeed: string | null;
    /** The fake Drupal site server's origin; create a site with test/support/drupal-site/client.ts. */
    drupalSiteUrl: string;
    /** The fake WordPress site server's origin; create a site with test/support/wordpress-site/client.ts. */
    wordpressSiteUrl: string;
    /** The fake Joomla site server's origin; create a site with test/support/joomla-site/client.ts. */
    joomlaSiteUrl: string;
  }
}
