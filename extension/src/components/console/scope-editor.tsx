/**
 * "Who is provisioned" (issue #13): all users, members of chosen directory groups (nested ones
 * too, when asked), or users matching a SCIM filter. Groups are picked from the directory
 * (GET /groups); the filter is checked by the relay, whose 400 issue shows under the field.
 */
import { useState } from 'preact/hooks';
import { groupListSchema } from '../../../../shared/src/groups';
import { callApi, query } from '../../lib/console-api';
import { describedBy, Field } from '../ui/field';
import { Problem } from '../ui/problem';
import { useLoad } from '../ui/use-load';
import { FILTER_EXAMPLE, SCOPE_KINDS, SCOPE_LABELS, type PickedGroup, type ScopeDraft, type ScopeKind } from './scope-draft';

export function ScopeEditor({ draft, onChange, err }: { draft: ScopeDraft; onChange: (d: ScopeDraft) => void; err: (path: string) => string | undefined }) {
  const set = (change: Partial<ScopeDraft>) => onChange({ ...draft, ...change });
  const groupsError = err('scope.groupIds');
  const filterError = err('scope.filter');
  const scopeError = err('scope');
  return (
    <fieldset class="scope" data-invalid={scopeError ? 'true' : undefined}>
      <legend>Who is provisioned</legend>
      <div role="radiogroup" aria-label="Who is provisioned" class="segmented">
        {SCOPE_KINDS.map((kind: ScopeKind) => (
          <label key={kind} class="check">
            <input type="radio" name="t-scope-kind" value={kind} checked={draft.kind === kind} onChange={() => set({ kind })} />
            {SCOPE_LABELS[kind]}
          </label>
        ))}
      </div>
      {draft.kind === 'all' && <p class="hint">Every user in the directory.</p>}
      {draft.kind === 'groups' && (
        <>
          <GroupPicker picked={draft.groups} error={groupsError} onChange={(groups) => set({ groups })} />
          <label class="check">
            <input type="checkbox" checked={draft.nested} onChange={(e) => set({ nested: e.currentTarget.checked })} />
            Include nested groups (members of member groups)
          </label>
        </>
      )}
      {draft.kind === 'filter' && (
        <Field id="t-scope-filter" label="SCIM filter over the directory" hint={`For example: ${FILTER_EXAMPLE}`} error={filterError}>
          <textarea
            id="t-scope-filter"
            rows={2}
            spellcheck={false}
            placeholder={FILTER_EXAMPLE}
            value={draft.filter}
            aria-invalid={filterError ? 'true' : undefined}
            aria-describedby={describedBy('t-scope-filter', true, filterError)}
            onInput={(e) => set({ filter: e.currentTarget.value })}
          />
        </Field>
      )}
      {scopeError && !groupsError && !filterError && <p class="field-error">{scopeError}</p>}
    </fieldset>
  );
}

/** The chosen groups (with Remove), and a search of the directory's groups to add more. */
function GroupPicker({ picked, error, onChange }: { picked: PickedGroup[]; error: string | undefined; onChange: (groups: PickedGroup[]) => void }) {
  const [q, setQ] = useState('');
  const found = useLoad(() => callApi(groupListSchema, 'GET', `/groups${query({ q: q.trim(), limit: 20 })}`), [q]);
  const isPicked = (id: string) => picked.some((g) => g.id === id);
  // A saved scope knows only ids: the directory's answer gives them their names.
  const named = picked.map((g) => found.data?.items.find((f) => f.id === g.id) ?? g);
  return (
    <div class="group-picker">
      <p id="t-scope-groups-label">
        <strong>Groups:</strong> {picked.length === 0 ? 'none chosen yet.' : ''}
      </p>
      {picked.length > 0 && (
        <ul class="plain-list" aria-labelledby="t-scope-groups-label">
          {named.map((g) => (
            <li key={g.id}>
              {g.displayName}{' '}
              <button type="button" aria-label={`Remove ${g.displayName}`} onClick={() => onChange(picked.filter((p) => p.id !== g.id))}>
                Remove
              </button>
            </li>
          ))}
        </ul>
      )}
      <Field id="t-scope-group-search" label="Find a directory group" error={error}>
        <input
          id="t-scope-group-search"
          type="search"
          value={q}
          placeholder="Name, id or externalId"
          aria-invalid={error ? 'true' : undefined}
          aria-describedby={describedBy('t-scope-group-search', false, error)}
          onInput={(e) => setQ(e.currentTarget.value)}
        />
      </Field>
      <Problem error={found.error} />
      {found.data && found.data.items.length === 0 && <p class="muted">No group matches.</p>}
      {found.data && found.data.items.length > 0 && (
        <ul class="plain-list" aria-label="Directory groups">
          {found.data.items.map((g) => (
            <li key={g.id}>
              <label class="check">
                <input
                  type="checkbox"
                  checked={isPicked(g.id)}
                  onChange={(e) =>
                    onChange(e.currentTarget.checked ? [...picked, { id: g.id, displayName: g.displayName }] : picked.filter((p) => p.id !== g.id))
                  }
                />
                {g.displayName}{' '}
                <span class="muted">
                  ({g.members} member{g.members === 1 ? '' : 's'})
                </span>
              </label>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
