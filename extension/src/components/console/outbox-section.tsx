import { useState } from 'preact/hooks';
import { countSchema, outboxItemSchema, pageSchema, type OutboxItem } from '../../../../shared/src/api';
import { callApi } from '../../lib/console-api';
import { useAction } from '../ui/use-action';
import { DeadLetters } from './dead-letters';
import { MoreButton } from './more-button';
import { PagesState } from './pages-state';
import { TargetFilter } from './target-filter';
import { usePages } from './use-pages';
import { useTargetNames } from './use-target-names';
import { ListTable } from '../ui/list-table';

const STATES = ['pending', 'failed', 'dead', 'leased', 'held'] as const;
type State = (typeof STATES)[number];
const outboxPageSchema = pageSchema(outboxItemSchema);

const STATE_WORDS: Record<State, string> = {
  pending: 'Pending — waiting for its mode’s next run',
  failed: 'Failed — will be retried with backoff',
  dead: 'Dead — gave up after repeated failures',
  leased: 'In progress — a run holds it now',
  held: 'Held — account creations over the creation threshold, or deactivations and deletions over the deletion threshold, waiting for approval',
};

/**
 * The provisioning queue by state. Failed and dead rows can be retried one by one or all at
 * once; held rows are approved here too (also in the Held section). Below: the work-queue
 * messages set aside in the dead-letter queue.
 */
export function OutboxSection({ initialState = 'failed' }: { initialState?: State }) {
  const [state, setState] = useState<State>(initialState);
  const [targetId, setTargetId] = useState('');
  const targets = useTargetNames();
  const pages = usePages('/outbox', outboxPageSchema, { state, targetId: targetId || undefined });
  const { act, error, status } = useAction(pages.reload);
  const { nameOf } = targets;
  const retryOne = (row: OutboxItem) =>
    act(async () => (await callApi(outboxItemSchema, 'POST', `/outbox/${row.id}/retry`), `Row ${row.id} queued for retry.`));
  const approveOne = (row: OutboxItem) => act(async () => (await callApi(outboxItemSchema, 'POST', `/outbox/${row.id}/approve`), `Row ${row.id} approved.`));
  const retryAll = () =>
    act(async () => {
      const { count } = await callApi(countSchema, 'POST', '/outbox/retry', {
        ...(targetId ? { targetId } : {}),
        ...(state === 'failed' || state === 'dead' ? { state } : {}),
      });
      return `${count} row${count === 1 ? '' : 's'} queued for retry.`;
    });

  return (
    <section aria-labelledby="outbox-heading">
      <h2 id="outbox-heading">Outbox</h2>
      <div class="filters">
        <div role="radiogroup" aria-label="State" class="segmented">
          {STATES.map((s) => (
            <label key={s} class="check">
              <input type="radio" name="outbox-state" checked={state === s} onChange={() => setState(s)} />
              {s}
            </label>
          ))}
        </div>
        <TargetFilter id="outbox-target" targets={targets.items} value={targetId} onChange={setTargetId} />
        <button type="button" onClick={pages.reload} disabled={pages.loading}>
          Refresh
        </button>
        {(state === 'failed' || state === 'dead') && (
          <button type="button" onClick={() => void retryAll()} disabled={pages.items.length === 0}>
            Retry all {state}
          </button>
        )}
      </div>
      <p class="hint">{STATE_WORDS[state]}</p>
      <PagesState pages={pages} loadingText="Loading…" status={status} error={error} empty={`No ${state} rows.`} />
      {pages.items.length > 0 && (
        <ListTable label={`Outbox: ${state}`} columns={['Row', 'Target', 'Resource', 'Attempts', 'Next attempt', 'Last error', 'Actions']}>
          {pages.items.map((row) => (
            <tr key={row.id}>
              <th scope="row">{row.id}</th>
              <td>{nameOf(row.targetId)}</td>
              <td>
                {row.resourceType} <code>{row.resourceId}</code>
                {row.state === 'held' ? ` (${row.creates ? 'a creation' : 'a deactivation or deletion'})` : ''}
              </td>
              <td>{row.attempts}</td>
              <td>
                <time dateTime={row.nextAttemptAt}>{new Date(row.nextAttemptAt).toLocaleString()}</time>
              </td>
              <td class="error-text">{row.lastError ?? '—'}</td>
              <td class="row-actions">
                {row.state === 'held' ? (
                  <button type="button" onClick={() => void approveOne(row)} aria-label={`Approve row ${row.id}`}>
                    Approve
                  </button>
                ) : row.state !== 'leased' ? (
                  <button type="button" onClick={() => void retryOne(row)} aria-label={`Retry row ${row.id}`}>
                    Retry
                  </button>
                ) : null}
              </td>
            </tr>
          ))}
        </ListTable>
      )}
      <MoreButton pages={pages} />
      <DeadLetters targetId={targetId} nameOf={nameOf} />
    </section>
  );
}
