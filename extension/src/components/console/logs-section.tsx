import { useState } from 'preact/hooks';
import { auditEventSchema, pageSchema, runSchema } from '../../../../shared/src/api';
import { MoreButton } from './more-button';
import { PagesState } from './pages-state';
import { TargetFilter } from './target-filter';
import { usePages } from './use-pages';
import { useTargetNames } from './use-target-names';
import { ListTable } from '../ui/list-table';

const when = (iso: string | null) => (iso ? new Date(iso).toLocaleString() : '—');

/** Dispatcher runs and the audit log, newest first, paged; filtered by target (and user for audit). */
export function LogsSection() {
  const targets = useTargetNames();
  const [targetId, setTargetId] = useState('');
  const [resourceId, setResourceId] = useState('');
  const runs = usePages('/runs', pageSchema(runSchema), { targetId: targetId || undefined });
  const audit = usePages('/audit', pageSchema(auditEventSchema), { targetId: targetId || undefined, resourceId: resourceId.trim() || undefined });
  const { nameOf } = targets;

  return (
    <section aria-labelledby="logs-heading">
      <h2 id="logs-heading">Runs and audit log</h2>
      <div class="filters">
        <TargetFilter id="logs-target" targets={targets.items} value={targetId} onChange={setTargetId} />
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
      <PagesState pages={runs} loadingText="Loading runs…" empty="No runs yet." />
      {runs.items.length > 0 && (
        <ListTable label="Runs" columns={['Started', 'Target', 'Mode', 'Status', 'Counts']}>
          {runs.items.map((r) => (
            <tr key={r.id}>
              <td>{when(r.startedAt)}</td>
              <td>{nameOf(r.targetId)}</td>
              <td>{r.mode}</td>
              <td>{r.status}</td>
              <td>
                {Object.entries(r.counts)
                  .map(([k, v]) => `${k} ${v}`)
                  .join(', ') || '—'}
              </td>
            </tr>
          ))}
        </ListTable>
      )}
      <MoreButton pages={runs} label="More runs" />

      <h3>Audit log</h3>
      <PagesState pages={audit} loadingText="Loading the audit log…" empty="No events." />
      {audit.items.length > 0 && (
        <ListTable label="Audit log" columns={['When', 'Target', 'Resource', 'Operation', 'Request', 'Outcome']}>
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
        </ListTable>
      )}
      <MoreButton pages={audit} label="More events" />
    </section>
  );
}
