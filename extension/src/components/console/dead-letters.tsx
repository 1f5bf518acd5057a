import { auditEventSchema, pageSchema } from '../../../../shared/src/api';
import { ListTable } from '../ui/list-table';
import { MoreButton } from './more-button';
import { PagesState } from './pages-state';
import { usePages } from './use-pages';

const deadLetterPageSchema = pageSchema(auditEventSchema);

/**
 * Work-queue messages the relay set aside after their retries (the dead-letter queue, README
 * "Queues"), with the error their runs kept hitting. The work itself is not lost: the cron
 * enqueues the target again while it has rows due; fix the cause, then retry its rows above.
 */
export function DeadLetters({ targetId, nameOf }: { targetId: string; nameOf: (id: string) => string }) {
  const pages = usePages('/outbox/dead-letters', deadLetterPageSchema, { targetId: targetId || undefined });
  return (
    <section aria-labelledby="dead-letters-heading">
      <h3 id="dead-letters-heading">Dead letters</h3>
      <p class="hint">Queue messages that kept crashing and were set aside, with the error.</p>
      <PagesState pages={pages} loadingText="Loading…" empty="No dead letters." />
      {pages.items.length > 0 && (
        <ListTable label="Dead letters" columns={['When', 'Target or source', 'Error']}>
          {pages.items.map((e) => (
            <tr key={e.id}>
              <th scope="row">
                <time dateTime={e.at}>{new Date(e.at).toLocaleString()}</time>
              </th>
              <td>{nameOf(e.targetId)}</td>
              <td class="error-text">{e.error ?? '—'}</td>
            </tr>
          ))}
        </ListTable>
      )}
      <MoreButton pages={pages} />
    </section>
  );
}
