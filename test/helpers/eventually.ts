/**
 * Reads until `ok` holds or `ms` have passed, and answers the last read either way: for what
 * another process (relay B, a cron run) does in its own time. The test's own expect() then says
 * what was wrong, instead of a bare timeout.
 */
export async function eventually<T>(read: () => Promise<T>, ok: (v: T) => boolean, ms = 8000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const v = await read();
    if (ok(v) || Date.now() > until) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
}
