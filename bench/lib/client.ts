/** A minimal authenticated HTTP client for the relay under test. */
import http from 'node:http';

export interface RequestSpec {
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  path: string;
  body?: unknown;
  /** statuses that count as success */
  expect: readonly number[];
  /** a cheap check of the body text (no JSON parse on the hot path); a string names the failure */
  check?: (text: string) => string | undefined;
}

export interface Outcome {
  status: number;
  /** undefined when the response is what the operation expects */
  failure?: string;
  text: string;
}

export interface Client {
  send(spec: RequestSpec): Promise<Outcome>;
  /** GETs sent again after workerd dropped a kept-alive connection (see `send`) */
  readonly retries: number;
  /** send, and throw on anything unexpected: for seeding and setup */
  json<T>(spec: RequestSpec): Promise<T>;
}

/**
 * One request on a connection of its own (no keep-alive), for seeding: workerd now and then
 * closes a kept-alive connection after a large /Bulk request, and a POST cannot be blindly re-sent.
 */
function sendFresh(url: string, method: string, headers: Record<string, string>, body: string | undefined): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      { method, headers: { ...headers, ...(body !== undefined ? { 'content-length': String(Buffer.byteLength(body)) } : {}) }, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

export function createClient(baseUrl: string, token: string, opts: { keepAlive: boolean } = { keepAlive: true }): Client {
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/scim+json', accept: 'application/scim+json' };
  let retries = 0;
  /**
   * workerd now and then closes a kept-alive connection just after a large request (a /Bulk
   * body), and the next request on that socket fails at once. A GET changes nothing, so it is
   * sent again (and counted); any other method reports the failure.
   */
  async function send(spec: RequestSpec): Promise<Outcome> {
    for (let attempt = 1; ; attempt++) {
      const out = await sendOnce(spec);
      if (out.status !== 0 || spec.method !== 'GET' || attempt === 3) return out;
      retries++;
    }
  }
  async function sendOnce(spec: RequestSpec): Promise<Outcome> {
    const body = spec.body !== undefined ? JSON.stringify(spec.body) : undefined;
    let status: number;
    let text: string;
    try {
      if (opts.keepAlive) {
        const res = await fetch(baseUrl + spec.path, { method: spec.method, headers, ...(body !== undefined ? { body } : {}) });
        status = res.status;
        // The body is read in full: its transfer is part of the operation's latency.
        text = await res.text();
      } else {
        ({ status, text } = await sendFresh(baseUrl + spec.path, spec.method, headers, body));
      }
    } catch (err) {
      const cause = (err as Error & { cause?: unknown }).cause;
      return { status: 0, failure: `network: ${(err as Error).message}${cause ? ` (${String(cause)})` : ''}`, text: '' };
    }
    if (!spec.expect.includes(status)) return { status, failure: `HTTP ${status}: ${text.slice(0, 200)}`, text };
    const why = spec.check?.(text);
    return why ? { status, failure: why, text } : { status, text };
  }
  return {
    send,
    get retries() {
      return retries;
    },
    async json<T>(spec: RequestSpec): Promise<T> {
      const out = await send(spec);
      if (out.failure) throw new Error(`${spec.method} ${spec.path}: ${out.failure}`);
      return (out.text === '' ? undefined : JSON.parse(out.text)) as T;
    },
  };
}

/** Query-string helper: values are encoded, keys are not. */
export const query = (params: Record<string, string | number>) =>
  Object.entries(params)
    .map(([k, v]) => `${k}=${encodeURIComponent(String(v))}`)
    .join('&');
