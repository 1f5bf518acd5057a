import { useState } from 'preact/hooks';
import { z } from 'zod';
import { auditEventSchema, pageSchema, runSchema } from '../../../../shared/src/api';
import { targetSchema } from '../../../../shared/src/targets';
import { callApi } from '../../lib/console-api';
import { Problem } from '../ui/problem';
import { StatusLine } from '../ui/status-line';
import { useLoad } from '../ui/use-load';
import { usePages } from './use-pages';

const targetsSchema = z.object({ items: z.array(targetSchema) });
const when = (iso: string | null) => (iso ? new Date(iso).toLocaleString() : '—');

/** Dispatcher runs and the audit log, newest first, paged; filtered by target (and user for audit). */
export function LogsSection() {
  const targets = useLoad(() => callApi(targetsSchema, 'GET', '/targets'), []);
  const [targetId, setTargetId] = useState('');
  const [resourceId, setResourceId] = useState('');
  const runs = usePages('/runs', pageSchema(runSchema), { targetId: targetId || undefined });
  const audit = usePages('/audit', pageSchema(auditEventSchema), { targetId: targetId || undefined, resourceId: resourceId.trim() || undefined });
  const nameOf = (id: string) => targets.data?.items.find((t) => t.id === id)?.name ?? id;

  return (
    <section aria-labelledby="logs-heading">
      <h2 id="logs-heading">Runs and audit log</h2>
      <div class="filters">
        <label for="logs-target">Target</label>
        <select id="logs-target" value={targetId} onChange={(e) => setTargetId(e.currentTarget.value)}>
          <option value="">All targets</option>
          {targets.data?.items.map((t) => (
            <option key={t.id} value={t.id}>
              {t.name}
            </option>
          ))}
        </select>
        <label for="logs-resource">User or group id</label>
        <input id="logs-resource" value={resourceId} onChange={(e) => setResourceId(e.currentTarget.value)} placeholder="any" />
        <button
          type="button"
          onClick={() => {
            runs.reload();
            audit.reload();
          }}
        >
          Refresh
        </button>
      </div>

      <h3>Runs</h3>
      <StatusLine text={runs.loading ? 'Loading runs…' : ''} />
      <Problem error={runs.error} />
      {!runs.loading && runs.items.length === 0 && !runs.error && <p>No runs yet.</p>}
      {runs.items.length > 0 && (
        <table class="list" aria-label="Runs">
          <thead>
            <tr>
              <th scope="col">Started</th>
              <th scope="col">Target</th>
              <th scope="col">Mode</th>
              <th scope="col">Status</th>
              <th scope="col">Counts</th>
            </tr>
          </thead>
          <tbody>
            {runs.items.map((r) => (
              <tr key={r.id}>
                <td>{when(r.startedAt)}</td>
                <td>{nameOf(r.targetId)}</td>
                <td>{r.mode}</td>
                <td>{r.status}</td>
                <td>{Object.entries(r.counts).map(([k, v]) => `${k} ${v}`).join(', ') || '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {runs.hasMore && (
        <button type="button" onClick={runs.more} disabled={runs.loading}>
          More runs
        </button>
      )}

      <h3>Audit log</h3>
      <StatusLine text={audit.loading ? 'Loading the audit log…' : ''} />
      <Problem error={audit.error} />
      {!audit.loading && audit.items.length === 0 && !audit.error && <p>No events.</p>}
      {audit.items.length > 0 && (
        <table class="list" aria-label="Audit log">
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Target</th>
              <th scope="col">Resource</th>
              <th scope="col">Operation</th>
              <th scope="col">Request</th>
              <th scope="col">Outcome</th>
            </tr>
          </thead>
          <tbody>
            {audit.items.map((e) => (
              <tr key={e.id}>
                <td>{when(e.at)}</td>
                <td>{nameOf(e.targetId)}</td>
                <td>{e.resourceId ? <code>{e.resourceId}</code> : '—'}</td>
                <td>
                  {e.operation}
                  {e.dryRun ? ' (dry run)' : ''}
                  {e.attributesChanged?.length ? ` — ${e.attributesChanged.join(', ')}` : ''}
                </td>
                <td>
                  {e.method ? `${e.method} ${e.path ?? ''}` : '—'}
                  {e.httpStatus !== null ? ` → ${e.httpStatus}` : ''}
                  {e.durationMs !== null ? ` (${Math.round(e.durationMs)} ms)` : ''}
                </td>
                <td data-outcome={e.outcome}>
                  {e.outcome}
                  {e.error ? <span class="error-text"> — {e.error}</span> : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {audit.hasMore && (
        <button type="button" onClick={audit.more} disabled={audit.loading}>
          More events
        </button>
      )}
    </section>
  );
}
