import { useState } from 'preact/hooks';
import { z } from 'zod';
import { countSchema, outboxItemSchema, pageSchema, type OutboxItem } from '../../../../shared/src/api';
import { targetSchema } from '../../../../shared/src/targets';
import { callApi } from '../../lib/console-api';
import { Problem } from '../ui/problem';
import { StatusLine } from '../ui/status-line';
import { useLoad } from '../ui/use-load';
import { usePages } from './use-pages';

const STATES = ['pending', 'failed', 'dead', 'leased', 'held'] as const;
type State = (typeof STATES)[number];
const targetsSchema = z.object({ items: z.array(targetSchema) });
const outboxPageSchema = pageSchema(outboxItemSchema);

const STATE_WORDS: Record<State, string> = {
  pending: 'Pending — waiting for its mode’s next run',
  failed: 'Failed — will be retried with backoff',
  dead: 'Dead — gave up after repeated failures',
  leased: 'In progress — a run holds it now',
  held: 'Held — deletions over the threshold, waiting for approval',
};

/**
 * The provisioning queue by state. Failed and dead rows can be retried one by one or all at
 * once; held rows are approved here too (also in the Held section).
 */
export function OutboxSection({ initialState = 'failed' }: { initialState?: State }) {
  const [state, setState] = useState<State>(initialState);
  const [targetId, setTargetId] = useState('');
  const targets = useLoad(() => callApi(targetsSchema, 'GET', '/targets'), []);
  const pages = usePages('/outbox', outboxPageSchema, { state, targetId: targetId || undefined });
  const [error, setError] = useState<unknown>(null);
  const [status, setStatus] = useState('');
  const nameOf = (id: string) => targets.data?.items.find((t) => t.id === id)?.name ?? id;

  async function act(run: () => Promise<string>) {
    setError(null);
    try {
      setStatus(await run());
      pages.reload();
    } catch (e) {
      setError(e);
    }
  }
  const retryOne = (row: OutboxItem) => act(async () => (await callApi(outboxItemSchema, 'POST', `/outbox/${row.id}/retry`), `Row ${row.id} queued for retry.`));
  const approveOne = (row: OutboxItem) => act(async () => (await callApi(outboxItemSchema, 'POST', `/outbox/${row.id}/approve`), `Row ${row.id} approved.`));
  const retryAll = () =>
    act(async () => {
      const { count } = await callApi(countSchema, 'POST', '/outbox/retry', { ...(targetId ? { targetId } : {}), ...(state === 'failed' || state === 'dead' ? { state } : {}) });
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
        <label for="outbox-target">Target</label>
        <select id="outbox-target" value={targetId} onChange={(e) => setTargetId(e.currentTarget.value)}>
          <option value="">All targets</option>
          {targets.data?.items.map((t) => (
            <option key={t.id} value={t.id}>
              {t.name}
            </option>
          ))}
        </select>
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
      <StatusLine text={pages.loading ? 'Loading…' : status} />
      <Problem error={pages.error ?? error} />
      {!pages.loading && pages.items.length === 0 && !pages.error && <p>No {state} rows.</p>}
      {pages.items.length > 0 && (
        <table class="list" aria-label={`Outbox: ${state}`}>
          <thead>
            <tr>
              <th scope="col">Row</th>
              <th scope="col">Target</th>
              <th scope="col">Resource</th>
              <th scope="col">Attempts</th>
              <th scope="col">Next attempt</th>
              <th scope="col">Last error</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {pages.items.map((row) => (
              <tr key={row.id}>
                <th scope="row">{row.id}</th>
                <td>{nameOf(row.targetId)}</td>
                <td>
                  {row.resourceType} <code>{row.resourceId}</code>
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
          </tbody>
        </table>
      )}
      {pages.hasMore && (
        <button type="button" onClick={pages.more} disabled={pages.loading}>
          Load more
        </button>
      )}
    </section>
  );
}
