/** The step trace of one provisioning per target: what was read, matched and done, with HTTP status and time. */
import type { ProvisionResult } from '../../../shared/src/provisioning';

export function StepList({ results }: { results: ProvisionResult[] }) {
  if (results.length === 0) return <p class="note">No target has manual provisioning on.</p>;
  return (
    <ul data-scim-trace>
      {results.map((r) => (
        <li key={r.targetId}>
          <strong class={r.ok ? 'ok' : 'bad'}>
            {r.targetName}: {r.ok ? r.action : `failed${r.failure ? ` (${r.failure})` : ''}`}
          </strong>
          {r.error && <span class="bad"> — {r.error}</span>}
          <ul>
            {r.steps.map((s, i) => (
              <li key={i} class={s.ok ? undefined : 'bad'}>
                {s.step}: {s.detail}
                {s.httpStatus !== undefined ? ` (HTTP ${s.httpStatus}` : ''}
                {s.httpStatus !== undefined && s.durationMs !== undefined ? `, ${Math.round(s.durationMs)} ms)` : s.httpStatus !== undefined ? ')' : ''}
              </li>
            ))}
          </ul>
        </li>
      ))}
    </ul>
  );
}
