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
  const names = useLoad(
    async () => (userIds.length === 0 ? { ids: {} } : await callApi(lookupResponseSchema.pick({ ids: true }), 'POST', '/users/lookup', { ids: userIds })),
    [userIds.join('\n')],
  );
  const nameOfUser = (id: string) => names.data?.ids[id]?.user.userName ?? id;

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
              {nameOf(targetId)}: {heldWords(rows.filter((r) => r.creates).length, rows.filter((r) => !r.creates).length)} held
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
