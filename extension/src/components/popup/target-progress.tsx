import type { ProvisionResult } from '../../../../shared/src/provisioning';
import { StepTrace } from '../ui/step-trace';

export type TargetRun = { state: 'waiting' } | { state: 'running' } | { state: 'done'; result: ProvisionResult } | { state: 'error'; error: string };

const ACTION_WORDS: Record<ProvisionResult['action'], string> = {
  create: 'created',
  update: 'updated',
  deactivate: 'deactivated',
  delete: 'deleted',
  link: 'linked to the existing account',
  skip: 'nothing sent (unchanged, or the mode does not allow it)',
  none: 'already in sync',
};

/** One target's live progress, then its result and step trace. */
export function TargetProgress({ name, run }: { name: string; run: TargetRun }) {
  return (
    <li
      class="target-run"
      data-state={run.state === 'done' ? (run.result.ok ? 'ok' : 'failed') : run.state}
      aria-busy={run.state === 'running' ? 'true' : 'false'}
    >
      <strong>{name}</strong>: <Summary run={run} />
      {run.state === 'done' && run.result.steps.length > 0 && (
        <details open={!run.result.ok}>
          <summary>Steps</summary>
          <StepTrace steps={run.result.steps} />
        </details>
      )}
    </li>
  );
}

function Summary({ run }: { run: TargetRun }) {
  switch (run.state) {
    case 'waiting':
      return <span>waiting</span>;
    case 'running':
      return <span>provisioning…</span>;
    case 'error':
      return <span class="error-text">{run.error}</span>;
    case 'done': {
      const r = run.result;
      if (!r.ok)
        return (
          <span class="error-text">
            failed — {r.error ?? 'the target refused'}
            {r.failure ? ` (${r.failure})` : ''}
          </span>
        );
      const changed = r.attributesChanged.length > 0 ? ` (${r.attributesChanged.join(', ')})` : '';
      return (
        <span class="ok-text">
          {ACTION_WORDS[r.action]}
          {changed}
          {r.dryRun ? ' — dry run, nothing sent' : ''}
        </span>
      );
    }
  }
}
