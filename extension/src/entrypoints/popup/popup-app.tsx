import { useEffect, useState } from 'preact/hooks';
import { browser } from 'wxt/browser';
import { PingStatus, type PingState } from '../../components/ping-status';
import { DatabaseFullLine } from '../../components/popup/database-full-line';
import { ProvisionPanel } from '../../components/popup/provision-panel';
import { currentTabUser, type TabUser } from '../../lib/current-tab-user';
import { sendRelayMessage } from '../../lib/messages';

/** The popup: is the relay there, and "Provision this user" for the user the active tab shows. */
export function PopupApp() {
  const [ping, setPing] = useState<PingState>({ kind: 'checking' });
  const [tabUser, setTabUser] = useState<TabUser | null>(null);

  useEffect(() => {
    sendRelayMessage({ type: 'relay:ping' }).then(
      (result) => setPing({ kind: 'done', result }),
      () => setPing({ kind: 'done', result: { ok: false, error: 'The extension background did not answer.' } }),
    );
    currentTabUser().then(setTabUser, () => setTabUser({ kind: 'none', reason: 'The active tab could not be asked.' }));
  }, []);

  const connected = ping.kind === 'done' && ping.result.ok;
  return (
    <main class="popup">
      <h1>SCIM Relay</h1>
      <PingStatus state={ping} />
      {connected && <DatabaseFullLine />}
      {connected && tabUser?.kind === 'user' && <ProvisionPanel user={tabUser.user} />}
      {connected && tabUser?.kind === 'none' && <p class="muted">{tabUser.reason}</p>}
      <button type="button" onClick={() => void browser.runtime.openOptionsPage()}>
        Open the console
      </button>
    </main>
  );
}
