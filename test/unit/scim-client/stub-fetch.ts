/**
 * A scripted fetch for unit tests: answers from a queue and records each request. End-to-end
 * tests use a real second relay; this is for shapes and faults a real server will not produce.
 */
export interface Recorded {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: unknown;
  redirect: RequestInit['redirect'];
}

export type Answer = Response | Error | ((req: Recorded) => Response | Error);

export function stubFetch(...answers: Answer[]): { fetch: typeof fetch; requests: Recorded[] } {
  const requests: Recorded[] = [];
  const queue = [...answers];
  const fake = async (input: RequestInfo | URL, init: RequestInit = {}) => {
    const req: Recorded = {
      method: init.method ?? 'GET',
      url: String(input),
      headers: Object.fromEntries(new Headers(init.headers).entries()),
      body: typeof init.body === 'string' ? JSON.parse(init.body) : undefined,
      redirect: init.redirect,
    };
    requests.push(req);
    const next = queue.shift();
    if (next === undefined) throw new Error(`unexpected request ${req.method} ${req.url}`);
    const answer = typeof next === 'function' ? next(req) : next;
    if (answer instanceof Error) throw answer;
    return answer;
  };
  return { fetch: fake as typeof fetch, requests };
}

export const scim = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(body === undefined ? null : JSON.stringify(body), { status, headers: { 'content-type': 'application/scim+json', ...headers } });

export const list = (...resources: object[]) =>
  scim(200, { schemas: ['urn:ietf:params:scim:api:messages:2.0:ListResponse'], totalResults: resources.length, Resources: resources });

export const scimError = (status: number, detail: string, scimType?: string) =>
  scim(status, { schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: String(status), detail, ...(scimType ? { scimType } : {}) });

/** RFC 7643 §8.5: the ServiceProviderConfig example, trimmed to what the engine reads. */
export const SPC = {
  schemas: ['urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig'],
  patch: { supported: true },
  bulk: { supported: true, maxOperations: 1000, maxPayloadSize: 1048576 },
  filter: { supported: true, maxResults: 200 },
  changePassword: { supported: true },
  sort: { supported: true },
  etag: { supported: true },
};
