/**
 * Wire types both fake CMS sites (wordpress-site/, joomla-site/) share with the tests: a fault,
 * a logged request, a reply. Types only, no Node imports: read by the Node servers and by test
 * code in workerd.
 */

/** One entry of a site's fault queue: the first whose `match` fits a request acts on it, `times` times (default 1). */
export interface CmsFault {
  match?: {
    method?: string;
    /** the route below the site's API (`/wp/v2/users/*`, `/v1/users/*`); `*` = any run of characters */
    path?: string;
  };
  times?: number;
  delayMs?: number;
  /** destroy the socket instead of answering */
  reset?: boolean;
  respond?: { status: number; headers?: Record<string, string>; body?: unknown; rawBody?: string };
}

/** One request as the site saw it. */
export interface CmsRequest {
  seq: number;
  method: string;
  /** the route below the site's API, e.g. `/wp/v2/users/5` or `/v1/users/573` */
  route: string;
  query: string;
  /** who the site took the caller for: a user id, or `anonymous` */
  viewer: string;
  /** the Accept header as sent ('' when none) */
  accept: string;
  /** the parsed JSON body, or null */
  body: unknown;
  status: number;
  fault: 'respond' | 'reset' | 'delay' | null;
}

export interface CmsReply {
  status: number;
  headers?: Record<string, string>;
  /** JSON (serialised) or text (sent as is) */
  body?: unknown;
}

export interface CreatedCmsSite {
  id: string;
  /** the site's address (what a target's baseUrl holds) */
  baseUrl: string;
  controlUrl: string;
}
