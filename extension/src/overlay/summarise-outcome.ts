/** The line a People row shows after "Provision". */
import type { UserOutcome } from '../lib/page-messages';

export type Note = { kind: 'ok' | 'error'; text: string };

/** Failures with their reason, skips with the relay's own explanation, else where it went. */
export function summarise(outcome: UserOutcome): Note {
  if (outcome.error) return { kind: 'error', text: outcome.error };
  const failed = outcome.results.filter((r) => !r.ok);
  if (failed.length > 0) return { kind: 'error', text: failed.map((r) => `${r.targetName}: ${r.error ?? r.failure ?? 'failed'}`).join('; ') };
  const sent = outcome.results.filter((r) => r.action !== 'skip');
  const skipped = outcome.results.filter((r) => r.action === 'skip');
  const parts = [
    ...(sent.length > 0 ? [`Provisioned to ${sent.map((r) => r.targetName).join(', ')}.`] : []),
    ...skipped.map((r) => `${r.targetName}: skipped — ${r.steps.find((s) => s.step === 'action')?.detail ?? 'nothing to send'}`),
  ];
  return { kind: 'ok', text: parts.join(' ') };
}
