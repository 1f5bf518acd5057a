/** A minimal authenticated HTTP client for the relay under test. */

export interface RequestSpec {
  method: 'GET' | 'POST' | 'PATCH';
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
  /** send, and throw on anything unexpected: for seeding and setup */
  json<T>(spec: RequestSpec): Promise<T>;
}

export function createClient(baseUrl: string, token: string): Client {
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/scim+json', accept: 'application/scim+json' };
  async function send(spec: RequestSpec): Promise<Outcome> {
    let res: Response;
    try {
      res = await fetch(baseUrl + spec.path, {
        method: spec.method,
        headers,
        ...(spec.body !== undefined ? { body: JSON.stringify(spec.body) } : {}),
      });
    } catch (err) {
      const cause = (err as Error & { cause?: unknown }).cause;
      return { status: 0, failure: `network: ${(err as Error).message}${cause ? ` (${String(cause)})` : ''}`, text: '' };
    }
    // The body is read in full: its transfer is part of the operation's latency.
    const text = await res.text();
    if (!spec.expect.includes(res.status)) return { status: res.status, failure: `HTTP ${res.status}: ${text.slice(0, 200)}`, text };
    const why = spec.check?.(text);
    return why ? { status: res.status, failure: why, text } : { status: res.status, text };
  }
  return {
    send,
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
