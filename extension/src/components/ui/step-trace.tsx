import type { Step } from '../../../../shared/src/provisioning';

const STEP_WORDS: Record<Step['step'], string> = {
  test_connection: 'Connection',
  read: 'Read',
  match: 'Match',
  action: 'Action',
  result: 'Result',
};

/** A provisioning or save-and-test trace, one line per step, in plain words. */
export function StepTrace({ steps }: { steps: readonly Step[] }) {
  return (
    <ol class="steps">
      {steps.map((s, i) => (
        <li key={i} data-ok={String(s.ok)}>
          <span class="step-mark" aria-hidden="true">
            {s.ok ? '✓' : '✗'}
          </span>
          <span class="visually-hidden">{s.ok ? 'passed' : 'failed'}: </span>
          <strong>{STEP_WORDS[s.step]}</strong> — {s.detail}
          {s.httpStatus !== undefined ? ` (HTTP ${s.httpStatus}` : ''}
          {s.httpStatus !== undefined && s.durationMs !== undefined ? `, ${Math.round(s.durationMs)} ms)` : s.httpStatus !== undefined ? ')' : ''}
        </li>
      ))}
    </ol>
  );
}
