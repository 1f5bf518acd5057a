import { Problem } from './problem';
import { StatusLine } from './status-line';

/**
 * Above a list loaded with useLoad: why it failed, "Loading…" until the first answer, and `empty`
 * when that answer has no items. `error` replaces the load's error (null when the section says
 * something better itself).
 */
export function ListState({
  list,
  loadingText,
  empty,
  error = list.error,
}: {
  list: { loading: boolean; error: unknown; data: { items: readonly unknown[] } | undefined };
  loadingText: string;
  empty?: string;
  error?: unknown;
}) {
  return (
    <>
      <Problem error={error} />
      {list.loading && !list.data && <StatusLine text={loadingText} />}
      {empty !== undefined && list.data && list.data.items.length === 0 && <p>{empty}</p>}
    </>
  );
}
