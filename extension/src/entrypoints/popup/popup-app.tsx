import { useEffect, useState } from 'preact/hooks';
import { browser } from 'wxt/browser';
import { PingStatus, type PingState } from '../../components/ping-status';
import { sendRelayMessage } from '../../lib/messages';

export function PopupApp() {
  const [state, setState] = useState<PingState>({ kind: 'checking' });

  useEffect(() => {
    sendRelayMessage({ type: 'relay:ping' }).then(
      (result) => setState({ kind: 'done', result }),
      () => setState({ kind: 'done', result: { ok: false, error: 'The extension background did not answer.' } }),
    );
  }, []);

  return (
    <main style={{ minWidth: '18rem' }}>
      <h1>SCIM Relay</h1>
      <PingStatus state={state} />
      <button type="button" onClick={() => void browser.runtime.openOptionsPage()}>
        Open options
      </button>
    </main>
  );
}
