import { useEffect, useState } from 'preact/hooks';
import { browser } from 'wxt/browser';
import { sendRelayMessage, type PingResult } from '../../lib/messages';
import { checkRelayUrl, storedRelayUrlRefusal, toOriginPattern } from '../../lib/relay-url';
import { PingStatus, type PingState } from '../ping-status';

/**
 * Relay URL and admin token: saved in the background (the token never comes back to a page),
 * then checked with GET /api/v1/ping. Host permission for the relay is asked for from the click.
 * An http:// URL is refused unless it is this machine (lib/relay-url.ts): the token would travel in clear.
 */
export function ConnectForm({ onConnected }: { onConnected: () => void }) {
  const [relayUrl, setRelayUrl] = useState('');
  const [token, setToken] = useState('');
  const [hasToken, setHasToken] = useState(false);
  const [state, setState] = useState<PingState>({ kind: 'idle' });

  useEffect(() => {
    sendRelayMessage({ type: 'relay:get-settings' }).then(
      (settings) => {
        setRelayUrl(settings.relayUrl);
        setHasToken(settings.hasToken);
        // A URL saved before http was refused: say why nothing works until it is changed.
        const refusal = storedRelayUrlRefusal(settings.relayUrl);
        if (refusal) setState(failed(refusal));
      },
      () => setState(failed('The extension background did not answer.')),
    );
  }, []);

  function onSubmit(event: SubmitEvent) {
    event.preventDefault();
    const checked = checkRelayUrl(relayUrl);
    if (!checked.ok) {
      setState(failed(checked.error));
      return;
    }
    const normalized = checked.url;
    // Firefox grants permissions only while handling the user's action: request before any await.
    const granted = browser.permissions.request({ origins: [toOriginPattern(normalized)] });
    setState({ kind: 'checking' });
    void saveAndPing(granted, normalized, token).then((result) => {
      setState({ kind: 'done', result });
      if (result.ok) {
        setRelayUrl(normalized);
        setHasToken(true);
        setToken('');
        onConnected();
      }
    });
  }

  return (
    <form onSubmit={onSubmit} noValidate aria-labelledby="connect-heading">
      <h2 id="connect-heading">Relay</h2>
      <label for="relay-url">Relay URL</label>
      <input
        id="relay-url"
        name="relayUrl"
        type="url"
        inputMode="url"
        autoComplete="url"
        placeholder="https://relay.example.com"
        required
        value={relayUrl}
        onInput={(e) => setRelayUrl(e.currentTarget.value)}
      />
      <label for="relay-token">Admin token</label>
      <input
        id="relay-token"
        name="relayToken"
        type="password"
        autoComplete="off"
        spellcheck={false}
        aria-describedby="relay-token-hint"
        required={!hasToken}
        value={token}
        onInput={(e) => setToken(e.currentTarget.value)}
      />
      <p id="relay-token-hint" class="hint">
        {hasToken ? 'A token is saved. Leave blank to keep it.' : 'A relay token with the admin scope.'}
      </p>
      <button type="submit" disabled={state.kind === 'checking'}>
        Check connection
      </button>
      <PingStatus state={state} />
    </form>
  );
}

async function saveAndPing(granted: Promise<boolean>, relayUrl: string, token: string): Promise<PingResult> {
  try {
    if (!(await granted)) return { ok: false, error: 'Access to the relay address was not granted.' };
    const saved = await sendRelayMessage({ type: 'relay:save-settings', relayUrl, relayToken: token });
    if (!saved.ok) return { ok: false, error: saved.error };
    return await sendRelayMessage({ type: 'relay:ping' });
  } catch {
    return { ok: false, error: 'The extension background did not answer.' };
  }
}

function failed(error: string): PingState {
  return { kind: 'done', result: { ok: false, error } };
}
