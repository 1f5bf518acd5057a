import { useState } from 'preact/hooks';
import { z } from 'zod';
import { countSchema, outboxItemSchema, pageSchema, type OutboxItem } from '../../../../shared/src/api';
import { targetSchema } from '../../../../shared/src/targets';
import { callApi } from '../../lib/console-api';
import { Problem } from '../ui/problem';
import { StatusLine } from '../ui/status-line';
import { useLoad } from '../ui/use-load';
import { usePages } from './use-pages';

const targetsSchema = z.object({ items: z.array(targetSchema) });
const outboxPageSchema = pageSchema(outboxItemSchema);

/**
 * Deactivations and deletions held because a run went over the target's deletion threshold:
 * nothing is sent until the admin approves them, one by one or per target.
 */
export function HeldSection() {
  const targets = useLoad(() => callApi(targetsSchema, 'GET', '/targets'), []);
  const pages = usePages('/outbox', outboxPageSchema, { state: 'held' });
  const [error, setError] = useState<unknown>(null);
  const [status, setStatus] = useState('');
  const byTarget = new Map<string, OutboxItem[]>();
  for (const row of pages.items) byTarget.set(row.targetId, [...(byTarget.get(row.targetId) ?? []), row]);
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

  return (
    <section aria-labelledby="held-heading">
      <h2 id="held-heading">Held deletions</h2>
      <p class="hint">A run that would deactivate or delete more accounts than the target’s threshold holds them here until you approve.</p>
      <StatusLine text={pages.loading ? 'Loading…' : status} />
      <Problem error={pages.error ?? error} />
      {!pages.loading && pages.items.length === 0 && !pages.error && <p>Nothing is held.</p>}
      {[...byTarget.entries()].map(([targetId, rows]) => (
        <section key={targetId} aria-label={`Held for ${nameOf(targetId)}`} class="group">
          <div class="section-head">
            <h3>
              {nameOf(targetId)}: {rows.length} held
            </h3>
            <button
              type="button"
              class="danger"
              onClick={() => void act(async () => `Approved ${(await callApi(countSchema, 'POST', `/targets/${encodeURIComponent(targetId)}/approve`)).count} held rows for ${nameOf(targetId)}.`)}
            >
              Approve all for {nameOf(targetId)}
            </button>
          </div>
          <ul class="plain-list">
            {rows.map((row) => (
              <li key={row.id}>
                {row.resourceType} <code>{row.resourceId}</code> (row {row.id}){' '}
                <button type="button" aria-label={`Approve row ${row.id}`} onClick={() => void act(async () => (await callApi(outboxItemSchema, 'POST', `/outbox/${row.id}/approve`), `Row ${row.id} approved.`))}>
                  Approve
                </button>
              </li>
            ))}
          </ul>
        </section>
      ))}
      {pages.hasMore && (
        <button type="button" onClick={pages.more} disabled={pages.loading}>
          Load more
        </button>
      )}
    </section>
  );
}
