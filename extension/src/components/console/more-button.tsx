/** The "Load more" button under a paged list (see usePages), shown while there is a next page. */
export function MoreButton({ pages, label = 'Load more' }: { pages: { hasMore: boolean; loading: boolean; more: () => void }; label?: string }) {
  if (!pages.hasMore) return null;
  return (
    <button type="button" onClick={pages.more} disabled={pages.loading}>
      {label}
    </button>
  );
}
