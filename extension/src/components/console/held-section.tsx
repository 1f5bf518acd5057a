import { countSchema, lookupResponseSchema, MAX_LOOKUP_KEYS, outboxItemSchema, pageSchema, type OutboxItem } from '../../../../shared/src/api';
import { callApi } from '../../lib/console-api';
import { heldWords } from '../../lib/held-words';
import { useAction } from '../ui/use-action';
import { useLoad } from '../ui/use-load';
import { MoreButton } from './more-button';
import { PagesState } from './pages-state';
import { usePages } from './use-pages';
import { useTargetNames } from './use-target-names';

const outboxPageSchema = pageSchema(outboxItemSchema);

/**
 * Work held for approval, per target: account creations over the creation threshold (a first
 * sync, a scope change, a big import: issue #13) and deactivations and deletions over the
 * deletion threshold. Nothing is sent until the admin approves them, one by one or per target.
 */
export function HeldSection() {
  const { nameOf } = useTargetNames();
  const pages = usePages('/outbox', outboxPageSchema, { state: 'held' });
  const { act, error, status } = useAction(pages.reload);
  const byTarget = new Map<string, OutboxItem[]>();
  for (const row of pages.items) byTarget.set(row.targetId, [...(byTarget.get(row.targetId) ?? []), row]);
  // The held users by userName, in one lookup; a user gone from the directory keeps its id.
  const userIds = [...new Set(pages.items.filter((r) => r.resourceType === 'User').map((r) => r.resourceId))].slice(0, MAX_LOOKUP_KEYS);
  // One lookup answers both: each target's held totals (the list below is paged, so counting its
  // rows would understate a big hold) and the listed users' names.
  const lookup = useLoad(
    () => callApi(lookupResponseSchema.pick({ targets: true, ids: true }), 'POST', '/users/lookup', { ids: userIds }),
    [userIds.join('\n'), pages.items.length],
  );
  const nameOfUser = (id: string) => lookup.data?.ids[id]?.user.userName ?? id;
  const heldOf = (targetId: string, rows: OutboxItem[]) => {
    const total = lookup.data?.targets.find((t) => t.id === targetId);
    const creations = total?.heldCreations ?? rows.filter((r) => r.creates).length;
    const all = total?.held ?? rows.length;
    const words = `${heldWords(creations, all - creations)} held`;
    return rows.length < all ? `${words} (${rows.length} listed)` : words;
  };

  return (
    <section aria-labelledby="held-heading">
      <h2 id="held-heading">Held for approval</h2>
      <p class="hint">
        A run that would create more accounts than the target’s creation threshold, or deactivate or delete more than its deletion threshold, holds them here
        until you approve. To create fewer, narrow the target’s scope instead.
      </p>
      <PagesState pages={pages} loadingText="Loading…" status={status} error={error} empty="Nothing is held." />
      {[...byTarget.entries()].map(([targetId, rows]) => (
        <section key={targetId} aria-label={`Held for ${nameOf(targetId)}`} class="group">
          <div class="section-head">
            <h3>
              {nameOf(targetId)}: {heldOf(targetId, rows)}
            </h3>
            <button
              type="button"
              class="danger"
              onClick={() =>
                void act(
                  async () =>
                    `Approved ${(await callApi(countSchema, 'POST', `/targets/${encodeURIComponent(targetId)}/approve`)).count} held rows for ${nameOf(targetId)}.`,
                )
              }
            >
              Approve all for {nameOf(targetId)}
            </button>
          </div>
          <ul class="plain-list">
            {rows.map((row) => (
              <li key={row.id}>
                {row.creates ? 'create' : 'deactivate or delete'} {row.resourceType}{' '}
                <code>{row.resourceType === 'User' ? nameOfUser(row.resourceId) : row.resourceId}</code> (row {row.id}){' '}
                <button
                  type="button"
                  aria-label={`Approve row ${row.id}`}
                  onClick={() => void act(async () => (await callApi(outboxItemSchema, 'POST', `/outbox/${row.id}/approve`), `Row ${row.id} approved.`))}
                >
                  Approve
                </button>
              </li>
            ))}
          </ul>
        </section>
      ))}
      <MoreButton pages={pages} />
    </section>
  );
}
