/**
 * "Always provision / Never provision / Follow scope" for one user on one target (issue #13):
 * PUT /targets/{id}/overrides/{userId}, null clearing it. Used by the console's users and the popup.
 */
import { useState } from 'preact/hooks';
import type { Override } from '../../../../shared/src/scope';
import { callApi, noBody } from '../../lib/console-api';
import { overrideOf } from '../../overlay/link-state';
import { OverrideOptions } from '../../overlay/override-options';

export function OverrideSelect({
  targetId,
  targetName,
  userId,
  userName,
  value,
  onSaved,
  onError,
}: {
  targetId: string;
  targetName: string;
  userId: string;
  userName: string;
  value: Override | null;
  onSaved: (override: Override | null) => void;
  onError: (error: unknown) => void;
}) {
  const [busy, setBusy] = useState(false);
  async function change(next: Override | null) {
    setBusy(true);
    try {
      await callApi(noBody, 'PUT', `/targets/${encodeURIComponent(targetId)}/overrides/${encodeURIComponent(userId)}`, { override: next });
      onSaved(next);
    } catch (e) {
      onError(e);
    } finally {
      setBusy(false);
    }
  }
  return (
    <select
      class="override"
      aria-label={`Provisioning of ${userName} to ${targetName}`}
      value={value ?? ''}
      disabled={busy}
      onChange={(e) => void change(overrideOf(e.currentTarget.value))}
    >
      <OverrideOptions />
    </select>
  );
}
