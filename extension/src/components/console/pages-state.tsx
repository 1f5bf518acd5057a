import { Problem } from '../ui/problem';
import { StatusLine } from '../ui/status-line';

/**
 * Above a paged list (see usePages): "Loading…" while a page loads (else `status`), the load's
 * error (else `error`, an action's), and `empty` once a load finished with no rows.
 */
export function PagesState({
  pages,
  loadingText,
  status = '',
  error = null,
  empty,
}: {
  pages: { loading: boolean; error: unknown; items: readonly unknown[] };
  loadingText: string;
  status?: string;
  error?: unknown;
  empty: string;
}) {
  return (
    <>
      <StatusLine text={pages.loading ? loadingText : status} />
      <Problem error={pages.error ?? error} />
      {!pages.loading && pages.items.length === 0 && !pages.error && <p>{empty}</p>}
    </>
  );
}
