import type { PingResult } from '../lib/messages';

export type PingState = { kind: 'idle' } | { kind: 'checking' } | { kind: 'done'; result: PingResult };

/** Live region announcing the ping result. Relay text is rendered as text, never as HTML. */
export function PingStatus({ state }: { state: PingState }) {
  return (
    <p class="result" role="status" aria-live="polite" data-ok={state.kind === 'done' ? String(state.result.ok) : undefined}>
      {describe(state)}
    </p>
  );
}

function describe(state: PingState): string {
  switch (state.kind) {
    case 'idle':
      return '';
    case 'checking':
      return 'Checking the relay…';
    case 'done': {
      const { ok, status, error } = state.result;
      if (ok) return `Connected${status === undefined ? '' : ` (HTTP ${status})`}.`;
      return error ?? 'Not connected.';
    }
  }
}
