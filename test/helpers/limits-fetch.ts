/**
 * Calls the worker's own fetch (not SELF) with `RELAY_LIMITS` set per call, so one test file can
 * try several plan profiles: `limits` is a profile name (`free`, `paid`) or a profile as JSON.
 * Sends the bootstrap token, and waits for the invocation's waitUntil work before it returns.
 */
import { createExecutionContext, env, waitOnExecutionContext } from 'cloudflare:test';
import worker from '../../worker/src/index';
import { TEST_TOKEN } from './scim';

export async function fetchUnderLimits(method: string, url: string, body: unknown, limits: string, contentType: string): Promise<Response> {
  const ctx = createExecutionContext();
  const res = await worker.fetch(
    new Request(url, {
      method,
      headers: { authorization: `Bearer ${TEST_TOKEN}`, 'content-type': contentType },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    }) as Request<unknown, IncomingRequestCfProperties>,
    { ...env, RELAY_LIMITS: limits },
    ctx,
  );
  await waitOnExecutionContext(ctx);
  return res;
}
