import type { CmsKind, TargetRoles } from '../../../../shared/src/target-kinds';
import { describedBy, Field } from '../ui/field';
import { Problem } from '../ui/problem';
import type { Loaded } from '../ui/use-load';
import { roleRowsOf, roleTextOf } from './target-draft';

const WORDS: Record<CmsKind, { label: string; role: string; example: string }> = {
  'drupal-jsonapi': { label: 'Groups to Drupal roles', role: 'role machine name', example: 'Editors = content_editor' },
  'wordpress-rest': { label: 'Groups to WordPress roles', role: 'role slug', example: 'Editors = editor' },
  'joomla-webservices': { label: 'Groups to Joomla user groups', role: 'user group id', example: 'Editors = 4' },
};

/**
 * The role map: directory group → the site's role (Drupal, WordPress) or user group (Joomla).
 * Once the target is saved the roles come from the site (`GET /targets/{id}/roles`) and each
 * group picks one; the relay never creates or deletes roles, so nothing here offers to. Before
 * the first save there is no target to ask, so the map is typed as lines.
 */
export function RoleMapField({
  kind,
  saved,
  roles,
  value,
  error,
  onChange,
}: {
  kind: CmsKind;
  saved: boolean;
  roles: Loaded<TargetRoles | null>;
  value: string;
  error: string | undefined;
  onChange: (text: string) => void;
}) {
  const words = WORDS[kind];
  if (!saved) {
    return (
      <Field
        id="t-role-map"
        label={words.label}
        hint={`One per line: directory group = ${words.role}. Unmapped groups are not pushed. Once saved, the site’s roles are offered to pick from.`}
        error={error}
      >
        <textarea
          id="t-role-map"
          rows={3}
          placeholder={words.example}
          value={value}
          aria-invalid={error ? 'true' : undefined}
          aria-describedby={describedBy('t-role-map', true, error)}
          onInput={(e) => onChange(e.currentTarget.value)}
        />
      </Field>
    );
  }
  return <RolePicker kind={kind} roles={roles} value={value} error={error} onChange={onChange} />;
}

function RolePicker({
  kind,
  roles,
  value,
  error,
  onChange,
}: {
  kind: CmsKind;
  roles: Loaded<TargetRoles | null>;
  value: string;
  error: string | undefined;
  onChange: (text: string) => void;
}) {
  const words = WORDS[kind];
  const rows = roleRowsOf(value);
  const items = roles.data?.items ?? [];
  const setRow = (i: number, row: [string, string]) => onChange(roleTextOf(rows.map((r, j) => (j === i ? row : r))));
  const remove = (i: number) => onChange(roleTextOf(rows.filter((_, j) => j !== i)));
  const add = () => onChange(roleTextOf([...rows, ['', items[0]?.id ?? '']]));
  return (
    <fieldset
      class="role-map"
      id="t-role-map"
      aria-busy={roles.loading ? 'true' : 'false'}
      aria-describedby={describedBy('t-role-map', true, error)}
      data-invalid={error ? 'true' : undefined}
    >
      <legend>{words.label}</legend>
      {roles.error ? <Problem error={roles.error} /> : null}
      {rows.length === 0 && <p>No group is mapped: groups are not pushed to the site.</p>}
      {rows.map(([group, role], i) => (
        <div class="role-row" key={i}>
          <input
            aria-label={`Directory group ${i + 1}`}
            placeholder="Directory group"
            value={group}
            onInput={(e) => setRow(i, [e.currentTarget.value, role])}
          />
          <select aria-label={`Site role for group ${i + 1}`} value={role} onChange={(e) => setRow(i, [group, e.currentTarget.value])}>
            {role !== '' && !items.some((r) => r.id === role) && <option value={role}>{roles.loading ? role : `${role} (not on the site)`}</option>}
            {role === '' && <option value="">Pick a role</option>}
            {items.map((r) => (
              <option key={r.id} value={r.id}>
                {r.name === r.id ? r.name : `${r.name} (${r.id})`}
              </option>
            ))}
          </select>
          <button type="button" onClick={() => remove(i)} aria-label={`Remove the mapping of group ${i + 1}`}>
            Remove
          </button>
        </div>
      ))}
      <button type="button" onClick={add} disabled={roles.loading}>
        Map a group
      </button>
      <p class="hint" id="t-role-map-hint">
        {roles.data?.note ?? `Roles as the site lists them (${words.role}). The relay never creates or deletes roles; unmapped groups are not pushed.`}
      </p>
      {error && (
        <p class="field-error" id="t-role-map-error" role="alert">
          {error}
        </p>
      )}
    </fieldset>
  );
}
