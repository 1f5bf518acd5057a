/**
 * One HTTP request from a test to a relay or a test server, its answer read whole: the status,
 * the text, and the body parsed as JSON when it is JSON. Imports nothing, so it serves both the
 * workerd side (e2e.ts) and the Node side (test/extension/support).
 */
export interface HttpResult {
  status: number;
  headers: Headers;
  /** parsed JSON, or undefined for an empty or non-JSON body */
  body: any;
  text: string;
}

export async function httpCall(url: string, method: string, headers: Record<string, string>, body?: string): Promise<HttpResult> {
  const res = await fetch(url, { method, headers, body });
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = text === '' ? undefined : JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  return { status: res.status, headers: res.headers, body: parsed, text };
}
