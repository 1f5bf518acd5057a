import { useState } from 'preact/hooks';

type Run = () => Promise<string>;

/**
 * A section's buttons: each action runs, says what it did in the status line and then refreshes
 * what the section shows (`after`); a failure goes to `error` for <Problem>. Given `pending`
 * ("Deleting"), the status line says "Deleting…" while the call runs and is cleared if it fails.
 */
export function useAction(after: () => void) {
  const [error, setError] = useState<unknown>(null);
  const [status, setStatus] = useState('');

  function act(run: Run): Promise<void>;
  function act(pending: string, run: Run): Promise<void>;
  async function act(first: string | Run, second?: Run) {
    const [pending, run] = typeof first === 'string' ? [first, second as Run] : [undefined, first];
    setError(null);
    if (pending !== undefined) setStatus(`${pending}…`);
    try {
      setStatus(await run());
      after();
    } catch (e) {
      setError(e);
      if (pending !== undefined) setStatus('');
    }
  }

  return { act, error, setError, status, setStatus };
}
