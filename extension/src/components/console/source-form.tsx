import { useState } from 'preact/hooks';
import { sourceSchema, type Source } from '../../../../shared/src/sources';
import { callApi } from '../../lib/console-api';
import { Field } from '../ui/field';
import { FormFooter } from '../ui/form-footer';
import { issueText } from '../ui/field-issues';
import { TextField, type TextFieldOptions } from '../ui/text-field';

interface SourceDraft {
  name: string;
  kind: Source['kind'];
  baseUrl: string;
  authType: 'basic' | 'bearer';
  username: string;
  secret: string;
  roles: string;
  activeOnly: boolean;
  userName: 'name' | 'mail';
  intervalMinutes: string;
  fullEveryHours: string;
  onDeleted: 'deactivate' | 'delete';
  deletionThreshold: string;
}

function draftOf(s: Source | null): SourceDraft {
  return {
    name: s?.name ?? '',
    kind: s?.kind ?? 'drupal-jsonapi',
    baseUrl: s?.baseUrl ?? '',
    authType: s?.credentials.type ?? 'basic',
    username: '',
    secret: '',
    roles: s?.settings.include.roles.join(', ') ?? '',
    activeOnly: s?.settings.include.activeOnly ?? false,
    userName: s?.settings.mapping.userName ?? 'name',
    intervalMinutes: String(s?.settings.schedule.intervalMinutes ?? 15),
    fullEveryHours: String(s?.settings.schedule.fullEveryHours ?? 24),
    onDeleted: s?.settings.onDeleted ?? 'deactivate',
    deletionThreshold: String(s?.settings.deletionThreshold ?? 10),
  };
}

const num = (t: string): number | string => (t.trim() !== '' && Number.isFinite(Number(t)) ? Number(t) : t);

function bodyOf(d: SourceDraft, saved: Source | null): Record<string, unknown> {
  const credentials = d.authType === 'basic' ? { type: 'basic', username: d.username, password: d.secret } : { type: 'bearer', token: d.secret };
  const settings = {
    ...(saved?.settings ?? {}),
    include: {
      roles: d.roles
        .split(',')
        .map((r) => r.trim())
        .filter(Boolean),
      activeOnly: d.activeOnly,
    },
    mapping: { ...(saved?.settings.mapping ?? {}), userName: d.userName },
    schedule: { intervalMinutes: num(d.intervalMinutes), fullEveryHours: num(d.fullEveryHours) },
    onDeleted: d.onDeleted,
    deletionThreshold: num(d.deletionThreshold),
  };
  const keepCredentials = saved !== null && d.secret === '' && d.username === '';
  return { name: d.name, ...(saved ? {} : { kind: d.kind }), baseUrl: d.baseUrl.trim(), ...(keepCredentials ? {} : { credentials }), settings };
}

const SHOWN = ['name', 'kind', 'baseUrl', 'credentials', 'settings'];

/** Create or edit a source: where people are imported from, how, and how often. */
export function SourceForm({ source, onSaved, onCancel }: { source: Source | null; onSaved: (s: Source) => void; onCancel: () => void }) {
  const [saved, setSaved] = useState<Source | null>(source);
  const [d, setDraft] = useState<SourceDraft>(() => draftOf(source));
  const [error, setError] = useState<unknown>(null);
  const [status, setStatus] = useState('');
  const set = <K extends keyof SourceDraft>(k: K, v: SourceDraft[K]) => setDraft((x) => ({ ...x, [k]: v }));
  const err = (p: string) => issueText(error, p);

  async function submit(e: SubmitEvent) {
    e.preventDefault();
    setError(null);
    setStatus('Saving…');
    try {
      const body = bodyOf(d, saved);
      const result = saved
        ? await callApi(sourceSchema, 'PATCH', `/sources/${encodeURIComponent(saved.id)}`, body)
        : await callApi(sourceSchema, 'POST', '/sources', body);
      setSaved(result);
      setDraft((x) => ({ ...x, secret: '', username: '' }));
      setStatus(`Saved “${result.name}”.`);
      onSaved(result);
    } catch (ex) {
      setError(ex);
      setStatus('');
    }
  }

  const input = (
    id: string,
    key: 'name' | 'baseUrl' | 'username' | 'secret' | 'roles' | 'intervalMinutes' | 'fullEveryHours' | 'deletionThreshold',
    label: string,
    path: string,
    opts: TextFieldOptions = {},
  ) => <TextField id={id} label={label} error={err(path)} value={d[key]} onInput={(v) => set(key, v)} autoComplete="off" {...opts} />;

  return (
    <form onSubmit={submit} noValidate aria-labelledby="source-form-heading">
      <h3 id="source-form-heading">{saved ? `Edit “${saved.name}”` : 'New source'}</h3>
      {input('s-name', 'name', 'Name', 'name')}
      <Field id="s-kind" label="Kind" error={err('kind')}>
        <select id="s-kind" value={d.kind} disabled={saved !== null} onChange={(e) => set('kind', e.currentTarget.value as SourceDraft['kind'])}>
          <option value="drupal-jsonapi">Drupal site (core JSON:API)</option>
          <option value="wordpress-rest">WordPress site (core REST API, Application Password)</option>
          <option value="joomla-webservices">Joomla site (core Web Services API, API token)</option>
          <option value="scim">SCIM 2.0 server</option>
        </select>
      </Field>
      {input('s-base-url', 'baseUrl', d.kind === 'scim' ? 'SCIM base URL' : 'Site address', 'baseUrl', {
        type: 'url',
        placeholder: d.kind === 'scim' ? 'https://idp.example.com/scim/v2' : 'https://cms.example.com',
      })}
      <Field id="s-auth" label="Authentication" error={err('credentials.type')}>
        <select id="s-auth" value={d.authType} onChange={(e) => set('authType', e.currentTarget.value as 'basic' | 'bearer')}>
          <option value="basic">HTTP Basic (username and password)</option>
          <option value="bearer">Bearer token</option>
        </select>
      </Field>
      {d.authType === 'basic' && input('s-username', 'username', 'Username', 'credentials.username')}
      {input('s-secret', 'secret', d.authType === 'basic' ? 'Password' : 'Token', d.authType === 'basic' ? 'credentials.password' : 'credentials.token', {
        type: 'password',
        hint: saved ? 'Stored encrypted. Leave both blank to keep the saved credentials.' : 'Stored encrypted; never shown again.',
      })}
      {input('s-roles', 'roles', 'Only these roles (comma-separated, empty: everyone)', 'settings.include.roles')}
      <label class="check">
        <input type="checkbox" checked={d.activeOnly} onChange={(e) => set('activeOnly', e.currentTarget.checked)} />
        Only active (unblocked) accounts
      </label>
      <Field id="s-username-from" label="Directory userName from" error={err('settings.mapping.userName')}>
        <select id="s-username-from" value={d.userName} onChange={(e) => set('userName', e.currentTarget.value as 'name' | 'mail')}>
          <option value="name">the account name</option>
          <option value="mail">the email address</option>
        </select>
      </Field>
      {input('s-interval', 'intervalMinutes', 'Import changes every (minutes)', 'settings.schedule.intervalMinutes', { type: 'number' })}
      {input('s-full', 'fullEveryHours', 'Full reconciliation every (hours)', 'settings.schedule.fullEveryHours', { type: 'number' })}
      <Field id="s-deleted" label="An account deleted on the source" error={err('settings.onDeleted')}>
        <select id="s-deleted" value={d.onDeleted} onChange={(e) => set('onDeleted', e.currentTarget.value as 'deactivate' | 'delete')}>
          <option value="deactivate">deactivates the directory user</option>
          <option value="delete">deletes the directory user</option>
        </select>
      </Field>
      {input('s-threshold', 'deletionThreshold', 'Deletion threshold', 'settings.deletionThreshold', {
        type: 'number',
        hint: 'A reconciliation removing more users than this is held for approval.',
      })}
      <FormFooter onCancel={onCancel} status={status} error={error} shownPaths={SHOWN}>
        <button type="submit" class="primary">
          Save
        </button>
      </FormFooter>
    </form>
  );
}
