/**
 * The base URL of a target or a source. Credentials belong in the write-only token or
 * credentials, which are sealed at rest; a URL is stored and shown in plain text, so a
 * `user:pass@` inside it would be echoed by every read, log line and error message.
 */
import { z } from 'zod';

/**
 * "scheme://" then everything up to the authority's last "@" (the userinfo delimiter). The
 * authority is taken up to the first / ? or #, a superset of what WHATWG URL parsing calls the
 * authority (it also stops at \), so a URL the parser reads userinfo from is always caught.
 * A regex, not URL: shared/ compiles without DOM or Workers globals.
 */
const USERINFO = /^([a-z][a-z0-9+.-]*:\/\/)[^/?#]*@/i;

/** True when the URL carries a user name or password (RFC 3986 §3.2.1 userinfo). */
export const hasUserinfo = (url: string): boolean => USERINFO.test(url);

/**
 * The URL without its userinfo, for rows stored before credentials were refused: a read never
 * echoes them (fetch refuses such a URL anyway: the Fetch standard's request constructor).
 */
export const withoutUserinfo = (url: string): string => url.replace(USERINFO, '$1');

/** An http(s) URL without credentials, stored without its trailing slashes. */
export const baseUrlSchema = z
  .string()
  .max(2048)
  .url()
  .refine((u) => /^https?:\/\//.test(u), 'must be an http(s) URL')
  .refine((u) => !hasUserinfo(u), 'must not carry a user name or password (user:pass@): put them in the token or credentials, which are stored encrypted')
  .transform((u) => u.replace(/\/+$/, ''));

/** A stored base URL as the API returns it: never with credentials. */
export const storedBaseUrlSchema = z.string().overwrite(withoutUserinfo);
