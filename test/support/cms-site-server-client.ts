/** The fake CMS sites' control API over plain fetch (runs in workerd and in Node). */
export async function controlCall<T>(url: string, method: string, body?: unknown): Promise<T> {
  const res = await fetch(url, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`control ${method} ${url}: ${res.status} ${text}`);
  return JSON.parse(text) as T;
}
