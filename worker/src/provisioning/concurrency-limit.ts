/**
 * A fetch that keeps at most `n` requests open at once, queued in order: one run's lanes and its
 * batch matches share the target's `concurrency` (DESIGN.md "Be a good citizen of the target").
 * A slot is held until the response's headers arrive; the small SCIM bodies follow at once.
 */
export function limitConcurrency(inner: typeof fetch, n: number): typeof fetch {
  let open = 0;
  const waiting: (() => void)[] = [];
  const acquire = async () => {
    if (open >= n) await new Promise<void>((resolve) => waiting.push(resolve));
    else open++;
  };
  // The slot passes straight to the next in line, so `open` never exceeds n.
  const release = () => {
    const next = waiting.shift();
    if (next) next();
    else open--;
  };
  return async function limitedFetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
    await acquire();
    try {
      return await inner(input, init);
    } finally {
      release();
    }
  } as typeof fetch;
}
