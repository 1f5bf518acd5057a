/**
 * Reads an outbound response's body with a ceiling, streaming, so a site that answers with a
 * gigabyte (a misrouted download, a proxy's log page, a hostile server) costs the relay at most
 * the ceiling — a Worker has 128 MB of memory, and `await res.text()` would hold it all.
 * Successful answers may be listings (50 Drupal users, 100 SCIM users: a few hundred KB), so
 * they get 5 MB; an error answer is read only for its message, so 64 KB.
 */
export const MAX_BODY_BYTES = 5 * 1024 * 1024;
export const MAX_ERROR_BODY_BYTES = 64 * 1024;

export type LimitedBody = { ok: true; text: string } | { ok: false; limitBytes: number };

/** The ceiling for an answer of this status. */
export const bodyLimitFor = (status: number): number => (status >= 200 && status <= 299 ? MAX_BODY_BYTES : MAX_ERROR_BODY_BYTES);

export async function readLimited(res: Response, limitBytes: number): Promise<LimitedBody> {
  const declared = Number(res.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > limitBytes) {
    await res.body?.cancel();
    return { ok: false, limitBytes };
  }
  if (!res.body) return { ok: true, text: '' };
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let read = 0;
  let text = '';
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    read += value.byteLength;
    if (read > limitBytes) {
      await reader.cancel();
      return { ok: false, limitBytes };
    }
    text += decoder.decode(value, { stream: true });
  }
  return { ok: true, text: text + decoder.decode() };
}

/** "5 MB", "64 KB": the ceiling in a message. */
export const formatBytes = (n: number): string => (n >= 1024 * 1024 ? `${n / (1024 * 1024)} MB` : `${n / 1024} KB`);
