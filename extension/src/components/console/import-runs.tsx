import { useState } from 'preact/hooks';
import { z } from 'zod';
import { importRunSchema, type Source } from '../../../../shared/src/sources';
import { callApi } from '../../lib/console-api';
import { Problem } from '../ui/problem';
import { StatusLine } from '../ui/status-line';
import { useLoad } from '../ui/use-load';
import { ListTable } from '../ui/list-table';

const runsSchema = z.object({ items: z.array(importRunSchema) });
const approvedSchema = z.object({ status: z.string(), counts: z.record(z.string(), z.number()), error: z.string().nullable() });

/** A source's import runs, newest first; a held reconciliation is approved here. */
export function ImportRuns({ source }: { source: Source }) {
  const runs = useLoad(() => callApi(runsSchema, 'GET', `/sources/${encodeURIComponent(source.id)}/runs`), [source.id]);
  const [error, setError] = useState<unknown>(null);
  const [status, setStatus] = useState('');

  async function approve(runId: string) {
    setError(null);
    try {
      const result = await callApi(approvedSchema, 'POST', `/sources/${encodeURIComponent(source.id)}/runs/${encodeURIComponent(runId)}/approve`);
      setStatus(`Approved: the run is ${result.status}.`);
      runs.reload();
    } catch (e) {
      setError(e);
    }
  }

  return (
    <section aria-label={`Import runs of ${source.name}`}>
      <h3>Import runs of “{source.name}”</h3>
      {runs.loading && !runs.data && <StatusLine text="Loading runs…" />}
      <Problem error={runs.error ?? error} />
      {runs.data && runs.data.items.length === 0 && <p>No imports yet.</p>}
      {runs.data && runs.data.items.length > 0 && (
        <ListTable label={`Import runs of ${source.name}`} columns={['Started', 'Kind', 'Status', 'Counts', 'Actions']}>
          {runs.data.items.map((r) => (
            <tr key={r.id}>
              <td>{new Date(r.startedAt).toLocaleString()}</td>
              <td>{r.kind}</td>
              <td>
                {/* A stopped run's message starts with "Stopped:" itself; the word is not said twice. */}
                {r.status === 'stopped' && r.error ? r.error : r.status}
                {r.error && r.status !== 'stopped' && <span class="error-text"> — {r.error}</span>}
              </td>
              <td>
                {Object.entries(r.counts)
                  .map(([k, v]) => `${k} ${v}`)
                  .join(', ') || '—'}
              </td>
              <td>
                {r.status === 'held' && (
                  <button type="button" class="danger" onClick={() => void approve(r.id)}>
                    Approve removals
                  </button>
                )}
              </td>
            </tr>
          ))}
        </ListTable>
      )}
      <StatusLine text={status} />
    </section>
  );
}
