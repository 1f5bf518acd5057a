import { useState } from 'preact/hooks';
import { z } from 'zod';
import { sourceSchema, sourceTestResultSchema, type Source, type SourceTestResult } from '../../../../shared/src/sources';
import { ApiProblem, callApi, noBody } from '../../lib/console-api';
import { ConfirmButton } from '../ui/confirm-button';
import { Problem } from '../ui/problem';
import { StatusLine } from '../ui/status-line';
import { useAction } from '../ui/use-action';
import { useLoad } from '../ui/use-load';
import { ImportRuns } from './import-runs';
import { SourceForm } from './source-form';
import { ListState } from '../ui/list-state';
import { ListTable } from '../ui/list-table';
import { StatusBadge } from '../ui/status-badge';

const listSchema = z.object({ items: z.array(sourceSchema) });
const runAnswerSchema = z.object({ status: z.string(), counts: z.record(z.string(), z.number()), error: z.string().nullable() });

type Panel = { kind: 'none' } | { kind: 'new'; n: number } | { kind: 'edit'; id: string } | { kind: 'runs'; id: string };

/** Sources the relay imports people from: list, create, edit, test, run now, pause, delete. */
export function SourcesSection() {
  const list = useLoad(() => callApi(listSchema, 'GET', '/sources'), []);
  const [panel, setPanel] = useState<Panel>({ kind: 'none' });
  const { act, error, status } = useAction(list.reload);
  const [report, setReport] = useState<{ name: string; result: SourceTestResult } | null>(null);
  const sources = list.data?.items ?? [];
  const unsupported = list.error instanceof ApiProblem && list.error.status === 404;

  const path = (s: Source, suffix = '') => `/sources/${encodeURIComponent(s.id)}${suffix}`;
  const test = (s: Source) =>
    act('Testing', async () => {
      const result = await callApi(sourceTestResultSchema, 'POST', path(s, '/test'), {});
      setReport({ name: s.name, result });
      return result.ok ? `“${s.name}” answers.` : `The test of “${s.name}” found problems.`;
    });
  const run = (s: Source, kind: 'incremental' | 'full') =>
    act('Importing', async () => {
      const answer = await callApi(runAnswerSchema, 'POST', path(s, '/run'), { kind });
      const counts = Object.entries(answer.counts)
        .map(([k, v]) => `${v} ${k}`)
        .join(', ');
      if (answer.error) throw new Error(`The import from “${s.name}” failed: ${answer.error}`);
      const held = answer.status === 'held' ? ' Removals are held for approval: see Runs.' : '';
      return `Import from “${s.name}”: ${answer.status}${counts ? ` (${counts})` : ''}.${held}`;
    });
  const setPaused = (s: Source, paused: boolean) =>
    act(
      paused ? 'Pausing' : 'Resuming',
      async () => (await callApi(sourceSchema, 'PATCH', path(s), { status: paused ? 'paused' : 'active' }), `${paused ? 'Paused' : 'Resumed'} “${s.name}”.`),
    );
  const remove = (s: Source) => act('Deleting', async () => (await callApi(noBody, 'DELETE', path(s)), `Deleted “${s.name}”.`));

  const editing = panel.kind === 'edit' ? sources.find((s) => s.id === panel.id) : undefined;
  const runsOf = panel.kind === 'runs' ? sources.find((s) => s.id === panel.id) : undefined;
  return (
    <section aria-labelledby="sources-heading">
      <div class="section-head">
        <h2 id="sources-heading">Sources</h2>
        {!unsupported && (
          <button type="button" class="primary" onClick={() => setPanel({ kind: 'new', n: Date.now() })}>
            New source
          </button>
        )}
      </div>
      {unsupported && <p>This relay has no sources API yet: update the relay to import people from Drupal sites and SCIM servers.</p>}
      <ListState
        list={list}
        loadingText="Loading sources…"
        empty="No sources yet. A source is a site the relay imports people from."
        error={unsupported ? null : list.error}
      />
      {sources.length > 0 && (
        <ListTable label="Sources" columns={['Name', 'Kind', 'Address', 'Last import', 'Status', 'Actions']}>
          {sources.map((s) => (
            <tr key={s.id}>
              <th scope="row">{s.name}</th>
              <td>{s.kind === 'scim' ? 'SCIM server' : 'Drupal (JSON:API)'}</td>
              <td>
                <code>{s.baseUrl}</code>
              </td>
              <td>
                {s.lastRunAt ? new Date(s.lastRunAt).toLocaleString() : 'never'}
                {s.running ? (s.stopped ? ' (stopped: the database is nearly full)' : ' (running)') : ''}
                {s.lastError && <span class="error-text"> — {s.lastError}</span>}
              </td>
              <td>
                <StatusBadge status={s.status} pausedReason={s.pausedReason} />
              </td>
              <td class="row-actions">
                <button type="button" aria-label={`Edit ${s.name}`} onClick={() => setPanel({ kind: 'edit', id: s.id })}>
                  Edit
                </button>
                <button type="button" aria-label={`Import runs of ${s.name}`} onClick={() => setPanel({ kind: 'runs', id: s.id })}>
                  Runs
                </button>
                <button type="button" aria-label={`Test ${s.name}`} onClick={() => void test(s)}>
                  Test
                </button>
                <button type="button" aria-label={`Import changes from ${s.name}`} onClick={() => void run(s, 'incremental')}>
                  Import changes
                </button>
                <button type="button" aria-label={`Fully reconcile ${s.name}`} onClick={() => void run(s, 'full')}>
                  Full import
                </button>
                <button type="button" onClick={() => void setPaused(s, s.status === 'active')}>
                  {s.status === 'active' ? 'Pause' : 'Resume'}
                </button>
                <ConfirmButton
                  label="Delete"
                  question={`Delete “${s.name}”? Imported users stay in the directory.`}
                  confirmLabel="Yes, delete"
                  onConfirm={() => void remove(s)}
                />
              </td>
            </tr>
          ))}
        </ListTable>
      )}
      <StatusLine text={status} />
      <Problem error={error} />
      {report && (
        <section class="report" aria-label={`Test of ${report.name}`} data-ok={String(report.result.ok)}>
          <h4>{report.result.ok ? `“${report.name}” answers and the settings work.` : `The test of “${report.name}” found problems.`}</h4>
          <ol class="steps">
            {report.result.steps.map((s, i) => (
              <li key={i} data-ok={String(s.ok)}>
                <span aria-hidden="true">{s.ok ? '✓' : '✗'}</span> <strong>{s.step}</strong> — {s.detail}
              </li>
            ))}
          </ol>
          {report.result.problems.length > 0 && (
            <ul class="problems">
              {report.result.problems.map((p) => (
                <li key={p}>{p}</li>
              ))}
            </ul>
          )}
        </section>
      )}
      {panel.kind === 'new' && <SourceForm key={`new-${panel.n}`} source={null} onSaved={() => list.reload()} onCancel={() => setPanel({ kind: 'none' })} />}
      {runsOf && <ImportRuns key={runsOf.id} source={runsOf} />}
      {editing && <SourceForm key={editing.id} source={editing} onSaved={() => list.reload()} onCancel={() => setPanel({ kind: 'none' })} />}
    </section>
  );
}
