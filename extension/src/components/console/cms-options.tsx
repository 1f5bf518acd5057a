import { targetRolesSchema, type CmsKind, type TargetRoles } from '../../../../shared/src/target-kinds';
import { callApi } from '../../lib/console-api';
import { describedBy, Field } from '../ui/field';
import { TextField } from '../ui/text-field';
import { useLoad, type Loaded } from '../ui/use-load';
import { RoleMapField } from './role-map-field';
import { idsOf, type TargetDraft } from './target-draft';

type TextKey = 'jsonapiPath' | 'wpDefaultRole' | 'wpReassign' | 'joomlaApiPath' | 'joomlaDefaultGroups' | 'joomlaSuperUserGroups';

/**
 * The settings of a CMS target (Drupal, WordPress, Joomla), as the kind's options schema in
 * `shared/src/*-target.ts` names them; the API's issues appear under `options.<key>` beside each.
 */
export function CmsOptions({
  kind,
  draft,
  targetId,
  set,
  err,
}: {
  kind: CmsKind;
  draft: TargetDraft;
  targetId: string | null;
  set: <K extends keyof TargetDraft>(key: K, value: TargetDraft[K]) => void;
  err: (path: string) => string | undefined;
}) {
  // A saved target's site is asked once for its roles (Joomla: user groups); null before the first save.
  const roles = useLoad<TargetRoles | null>(
    () => (targetId === null ? Promise.resolve(null) : callApi(targetRolesSchema, 'GET', `/targets/${encodeURIComponent(targetId)}/roles`)),
    [targetId],
  );
  const text = (id: string, key: TextKey, label: string, path: string, hint?: string, placeholder?: string) => (
    <TextField
      id={id}
      label={label}
      error={err(path)}
      value={draft[key]}
      onInput={(v) => set(key, v)}
      {...(hint ? { hint } : {})}
      {...(placeholder ? { placeholder } : {})}
    />
  );
  const check = (key: 'wpAllowUserOne' | 'joomlaAllowSuperUsers', label: string, path: string) => (
    <>
      <label class="check">
        <input type="checkbox" checked={draft[key]} onChange={(e) => set(key, e.currentTarget.checked)} />
        {label}
      </label>
      {err(path) && <p class="field-error">{err(path)}</p>}
    </>
  );
  const siteRoles = roles.data?.items ?? [];
  const roleMap = (
    <RoleMapField
      kind={kind}
      saved={targetId !== null}
      roles={roles}
      value={draft.roleMap}
      error={err('options.roleMap')}
      onChange={(v) => set('roleMap', v)}
    />
  );

  if (kind === 'drupal-jsonapi') {
    return (
      <>
        <Field id="t-auth" label="Drupal authentication" error={err('options.auth')}>
          <select id="t-auth" value={draft.drupalAuth} onChange={(e) => set('drupalAuth', e.currentTarget.value as 'basic' | 'bearer')}>
            <option value="basic">HTTP Basic (core basic_auth)</option>
            <option value="bearer">Bearer / OAuth token</option>
          </select>
        </Field>
        {text('t-jsonapi', 'jsonapiPath', 'JSON:API path', 'options.jsonapiPath', undefined, '/jsonapi')}
        {roleMap}
      </>
    );
  }
  if (kind === 'wordpress-rest') {
    return (
      <>
        <Field
          id="t-rest-path"
          label="REST API address"
          hint="/?rest_route= works on every site; /wp-json needs pretty permalinks."
          error={err('options.restPath')}
        >
          <select id="t-rest-path" value={draft.wpRestPath} onChange={(e) => set('wpRestPath', e.currentTarget.value as TargetDraft['wpRestPath'])}>
            <option value="/wp-json">/wp-json (pretty permalinks)</option>
            <option value="/?rest_route=">/?rest_route= (any site)</option>
          </select>
        </Field>
        {roleMap}
        {siteRoles.length > 0 ? (
          <Field
            id="t-default-role"
            label="Role of a new account"
            hint="Also restored on reactivation when no role was remembered."
            error={err('options.defaultRole')}
          >
            <select
              id="t-default-role"
              value={draft.wpDefaultRole}
              aria-describedby={describedBy('t-default-role', true, err('options.defaultRole'))}
              onChange={(e) => set('wpDefaultRole', e.currentTarget.value)}
            >
              {!siteRoles.some((r) => r.id === draft.wpDefaultRole) && (
                <option value={draft.wpDefaultRole}>{`${draft.wpDefaultRole} (not on the site)`}</option>
              )}
              {siteRoles.map((r) => (
                <option key={r.id} value={r.id}>
                  {r.name === r.id ? r.name : `${r.name} (${r.id})`}
                </option>
              ))}
            </select>
          </Field>
        ) : (
          text(
            't-default-role',
            'wpDefaultRole',
            'Role of a new account',
            'options.defaultRole',
            'Also restored on reactivation when no role was remembered.',
            'subscriber',
          )
        )}
        {text(
          't-reassign',
          'wpReassign',
          'Who inherits a deleted account’s posts',
          'options.reassign',
          'relay-account (the account the relay signs in as), a user id, or delete-content to delete the posts too.',
          'relay-account',
        )}
        {check('wpAllowUserOne', 'Allow changing user 1 (the site’s first administrator)', 'options.allowUserOne')}
      </>
    );
  }
  const hasGroups = siteRoles.length > 0;
  return (
    <>
      {text('t-api-path', 'joomlaApiPath', 'Web Services path', 'options.apiPath', undefined, '/api/index.php')}
      {roleMap}
      {hasGroups ? (
        <GroupChecks
          id="t-default-groups"
          label="Groups of a new account"
          roles={roles}
          value={draft.joomlaDefaultGroups}
          error={err('options.defaultGroups')}
          onChange={(v) => set('joomlaDefaultGroups', v)}
        />
      ) : (
        text(
          't-default-groups',
          'joomlaDefaultGroups',
          'Groups of a new account (ids)',
          'options.defaultGroups',
          'Comma-separated user group ids; 2 is Registered on a stock site.',
          '2',
        )
      )}
      {hasGroups ? (
        <GroupChecks
          id="t-super-groups"
          label="Super User groups (protected unless allowed below)"
          roles={roles}
          value={draft.joomlaSuperUserGroups}
          error={err('options.superUserGroups')}
          onChange={(v) => set('joomlaSuperUserGroups', v)}
        />
      ) : (
        text(
          't-super-groups',
          'joomlaSuperUserGroups',
          'Super User groups (ids)',
          'options.superUserGroups',
          'Members of these groups are protected unless allowed below; 8 on a stock site.',
          '8',
        )
      )}
      {check('joomlaAllowSuperUsers', 'Allow changing or removing Super Users (never the token’s own account)', 'options.allowSuperUsers')}
    </>
  );
}

/** Joomla group ids as boxes to tick, from the groups the site lists (the draft keeps "2, 3"). */
function GroupChecks({
  id,
  label,
  roles,
  value,
  error,
  onChange,
}: {
  id: string;
  label: string;
  roles: Loaded<TargetRoles | null>;
  value: string;
  error: string | undefined;
  onChange: (text: string) => void;
}) {
  const chosen = idsOf(value).map(String);
  const toggle = (group: string, on: boolean) => onChange((on ? [...chosen, group] : chosen.filter((g) => g !== group)).join(', '));
  return (
    <fieldset class="group-checks" id={id} data-invalid={error ? 'true' : undefined} aria-describedby={error ? `${id}-error` : undefined}>
      <legend>{label}</legend>
      {(roles.data?.items ?? []).map((g) => (
        <label class="check" key={g.id}>
          <input type="checkbox" checked={chosen.includes(g.id)} onChange={(e) => toggle(g.id, e.currentTarget.checked)} />
          {g.name}
        </label>
      ))}
      {error && (
        <p class="field-error" id={`${id}-error`} role="alert">
          {error}
        </p>
      )}
    </fieldset>
  );
}
