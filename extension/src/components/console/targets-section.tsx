import { useState } from 'preact/hooks';
import { z } from 'zod';
import { targetSchema, type Target } from '../../../../shared/src/targets';
import { callApi, noBody } from '../../lib/console-api';
import { ConfirmButton } from '../ui/confirm-button';
import { Problem } from '../ui/problem';
import { StatusLine } from '../ui/status-line';
import { useAction } from '../ui/use-action';
import { useLoad } from '../ui/use-load';
import { MappingEditor } from './mapping-editor';
import { ConvergencePanel } from './convergence-panel';
import { PlanPanel } from './plan-panel';
import { describeScope } from './scope-draft';
import { KIND_LABELS, MODE_NAMES, type KindName } from './target-draft';
import { TargetForm } from './target-form';
import { ListState } from '../ui/list-state';
import { ListTable } from '../ui/list-table';
import { StatusBadge } from '../ui/status-badge';

const listSchema = z.object({ items: z.array(targetSchema) });
const runSchema = z.object({ runId: z.string().nullable(), targetId: z.string(), counts: z.record(z.string(), z.number()), drained: z.boolean() });

type Panel =
  | { kind: 'none' }
  | { kind: 'new'; n: number }
  | { kind: 'edit'; id: string }
  | { kind: 'mapping'; id: string }
  | { kind: 'plan'; id: string }
  | { kind: 'convergence'; id: string };

const modesOf = (t: Target) =>
  MODE_NAMES.filter((m) => t.modes[m].enabled)
    .map((m) => (m === 'scheduled' ? `scheduled every ${t.modes.scheduled.intervalMinutes} min` : m))
    .join(', ') || 'none';

/** Targets: the list with pause, resume, plan, run and delete; the editor and the mapping below it. */
export function TargetsSection() {
  const list = useLoad(() => callApi(listSchema, 'GET', '/targets'), []);
  const [panel, setPanel] = useState<Panel>({ kind: 'none' });
  const { act, error, status } = useAction(list.reload);
  const targets = list.data?.items ?? [];
  const byId = (id: string) => targets.find((t) => t.id === id);

  const path = (t: Target, suffix = '') => `/targets/${encodeURIComponent(t.id)}${suffix}`;
  const pause = (t: Target) => act('Pausing', async () => (await callApi(targetSchema, 'POST', path(t, '/pause')), `Paused “${t.name}”.`));
  const resume = (t: Target) => act('Resuming', async () => (await callApi(targetSchema, 'POST', path(t, '/resume')), `Resumed “${t.name}”.`));
  const runNow = (t: Target) =>
    act('Running', async () => {
      const run = await callApi(runSchema, 'POST', path(t, '/run'), {});
      const counts =
        Object.entries(run.counts)
          .map(([k, v]) => `${v} ${k}`)
          .join(', ') || 'nothing to do';
      return `Ran “${t.name}”: ${counts}${run.drained ? '.' : ' (more left for the next run).'}`;
    });
  const remove = (t: Target) =>
    act('Deleting', async () => {
      await callApi(noBody, 'DELETE', path(t));
      if (panel.kind !== 'none' && panel.kind !== 'new' && panel.id === t.id) setPanel({ kind: 'none' });
      return `Deleted “${t.name}”.`;
    });

  const editing = panel.kind === 'edit' ? byId(panel.id) : undefined;
  const mapping = panel.kind === 'mapping' ? byId(panel.id) : undefined;
  const planned = panel.kind === 'plan' ? byId(panel.id) : undefined;
  const converging = panel.kind === 'convergence' ? byId(panel.id) : undefined;

  return (
    <section aria-labelledby="targets-heading">
      <div class="section-head">
        <h2 id="targets-heading">Targets</h2>
        <button type="button" class="primary" onClick={() => setPanel({ kind: 'new', n: Date.now() })}>
          New target
        </button>
      </div>
      <ListState list={list} loadingText="Loading targets…" empty="No targets yet. A target is an app the relay provisions users into." />
      {targets.length > 0 && (
        <ListTable label="Targets" columns={['Name', 'Kind', 'Address', 'Who', 'Modes', 'Status', 'Actions']}>
          {targets.map((t) => (
            <tr key={t.id}>
              <th scope="row">{t.name}</th>
              <td>{KIND_LABELS[t.kind as KindName] ?? t.kind}</td>
              <td>
                <code>{t.baseUrl}</code>
              </td>
              <td>{describeScope(t.scope)}</td>
              <td>
                {modesOf(t)}
                {t.dryRun ? ' (dry run)' : ''}
              </td>
              <td>
                <StatusBadge status={t.status} pausedReason={t.pausedReason} />
              </td>
              <td class="row-actions">
                <button type="button" onClick={() => setPanel({ kind: 'edit', id: t.id })} aria-label={`Edit ${t.name}`}>
                  Edit
                </button>
                <button type="button" onClick={() => setPanel({ kind: 'mapping', id: t.id })} aria-label={`Mapping of ${t.name}`}>
                  Mapping
                </button>
                {t.status === 'active' ? (
                  <button type="button" onClick={() => void pause(t)} aria-label={`Pause ${t.name}`}>
                    Pause
                  </button>
                ) : (
                  <button type="button" onClick={() => void resume(t)} aria-label={`Resume ${t.name}`}>
                    Resume
                  </button>
                )}
                <button type="button" onClick={() => setPanel({ kind: 'plan', id: t.id })} aria-label={`Plan of ${t.name}`}>
                  Plan
                </button>
                <button type="button" onClick={() => setPanel({ kind: 'convergence', id: t.id })} aria-label={`Sync and drift of ${t.name}`}>
                  Sync & drift
                </button>
                <button type="button" onClick={() => void runNow(t)} aria-label={`Run ${t.name} now`}>
                  Run now
                </button>
                <ConfirmButton
                  label="Delete"
                  question={`Delete “${t.name}” with its queue and links? Accounts on the target stay.`}
                  confirmLabel="Yes, delete"
                  onConfirm={() => void remove(t)}
                />
              </td>
            </tr>
          ))}
        </ListTable>
      )}
      <StatusLine text={status} />
      <Problem error={error} />
      {panel.kind === 'new' && <TargetForm key={`new-${panel.n}`} target={null} onSaved={() => list.reload()} onCancel={() => setPanel({ kind: 'none' })} />}
      {editing && <TargetForm key={editing.id} target={editing} onSaved={() => list.reload()} onCancel={() => setPanel({ kind: 'none' })} />}
      {mapping && <MappingEditor key={mapping.id} target={mapping} />}
      {planned && <PlanPanel key={planned.id} target={planned} onClose={() => setPanel({ kind: 'none' })} />}
      {converging && <ConvergencePanel key={converging.id} target={converging} onClose={() => setPanel({ kind: 'none' })} />}
    </section>
  );
}
