import { useEffect, useState } from 'preact/hooks';
import type { z } from 'zod';
import { callApi, query } from '../../lib/console-api';

/**
 * Keyset paging over a newest-first list (`nextCursor` → `cursor`): the pages loaded so far stay
 * on screen and "Load more" appends the next one. Changing `params` starts over.
 */
export function usePages<T>(path: string, schema: z.ZodType<{ items: T[]; nextCursor: string | null }>, params: Record<string, string | undefined>) {
  const [items, setItems] = useState<T[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<unknown>(null);
  const [generation, setGeneration] = useState(0);
  const key = JSON.stringify(params);

  async function load(after: string | null, append: boolean) {
    setLoading(true);
    setError(null);
    try {
      const page = await callApi(schema, 'GET', `${path}${query({ ...params, limit: 50, cursor: after ?? undefined })}`);
      setItems((prev) => (append ? [...prev, ...page.items] : page.items));
      setCursor(page.nextCursor);
    } catch (e) {
      setError(e);
    } finally {
      setLoading(false);
    }
  }

  useEffect(() => {
    void load(null, false);
  }, [key, generation]);

  return {
    items,
    loading,
    error,
    hasMore: cursor !== null,
    more: () => void load(cursor, true),
    reload: () => setGeneration((g) => g + 1),
  };
}
