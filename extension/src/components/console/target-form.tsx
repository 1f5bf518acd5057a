import { useState } from 'preact/hooks';
import { targetSchema, type Target } from '../../../../shared/src/targets';
import { callApi } from '../../lib/console-api';
import { describedBy, Field } from '../ui/field';
import { FormFooter } from '../ui/form-footer';
import { issueText } from '../ui/field-issues';
import { TextField, type TextFieldOptions } from '../ui/text-field';
import { scopePreviewSchema, type ScopePreview } from '../../../../shared/src/scope';
import {
  bodyOf,
  draftOf,
  emptyDraft,
  hasScopeChanged,
  KIND_LABELS,
  MODE_NAMES,
  OPERATION_NAMES,
  type KindName,
  type ModeName,
  type TargetDraft,
} from './target-draft';
import { TestReport, type TestResult, testResultSchema } from './test-report';
import { DEFAULT_MATCHING_OF, isCmsKind } from '../../../../shared/src/target-kinds';
import { CmsOptions } from './cms-options';
import { scopeOf } from './scope-draft';
import { ScopeEditor } from './scope-editor';
import { ScopePreviewPanel } from './scope-preview';
import { ProtectedAccountsField } from './protected-accounts-field';

/** What the credential field asks for, in the site's own words. */
function tokenLabel(d: TargetDraft): string {
  if (d.kind === 'drupal-jsonapi' && d.drupalAuth === 'basic') return 'Credentials (username:password)';
  if (d.kind === 'wordpress-rest') return 'Application Password (username:application password)';
  if (d.kind === 'joomla-webservices') return 'API token (a Super User’s)';
  return 'Bearer token';
}

/** Fields shown by this form: an API issue under any of them is shown beside it, not in the summary. */
const FIELD_PATHS = [
  'name',
  'kind',
  'baseUrl',
  'token',
  'matching',
  'modes',
  'rateLimitPerSecond',
  'concurrency',
  'deletionThreshold',
  'creationThreshold',
  'scope',
  'protectedAccounts',
  'options',
];

const MODE_WORDS: Record<ModeName, { label: string; hint: string }> = {
  manual: { label: 'Manual', hint: 'Provision on request: the popup, the People page, the console.' },
  automatic: { label: 'Automatic', hint: 'Right after every change in the directory.' },
  scheduled: { label: 'Scheduled', hint: 'Queued, then sent at the interval by the relay’s cron.' },
};

/**
 * Create or edit a target, then "Save and test": the target is saved, its server read
 * (SCIM: ServiceProviderConfig and the matching filter; a CMS: its API, credentials and
 * capabilities) and the report shown in plain words.
 */
export function TargetForm({ target, onSaved, onCancel }: { target: Target | null; onSaved: (t: Target) => void; onCancel: () => void }) {
  const [draft, setDraft] = useState<TargetDraft>(() => (target ? draftOf(target) : emptyDraft()));
  const [saved, setSaved] = useState<Target | null>(target);
  const [busy, setBusy] = useState<'' | 'saving' | 'testing'>('');
  const [error, setError] = useState<unknown>(null);
  const [status, setStatus] = useState('');
  const [report, setReport] = useState<TestResult | null>(null);
  /** a scope change's plan, waiting for the admin to apply it (and then test, when asked) */
  const [plan, setPlan] = useState<{ preview: ScopePreview; andTest: boolean } | null>(null);
  const isNew = saved === null;

  const set = <K extends keyof TargetDraft>(key: K, value: TargetDraft[K]) => setDraft((d) => ({ ...d, [key]: value }));
  // A CMS kind starts with the matching its connector can search (shared/src/target-kinds.ts).
  const setKind = (kind: KindName) =>
    setDraft((d) => ({ ...d, kind, matching: isCmsKind(kind) ? DEFAULT_MATCHING_OF[kind].join('\n') : emptyDraft().matching }));
  const setMode = (mode: ModeName, change: Partial<TargetDraft['modes'][ModeName]>) =>
    setDraft((d) => ({ ...d, modes: { ...d.modes, [mode]: { ...d.modes[mode], ...change } } }));
  const err = (path: string) => issueText(error, path);

  /**
   * Saves the form. An edit that changes who is provisioned first asks the relay for the plan and
   * stops there: the admin sees who will be created and deactivated, and applies it (`planned`).
   */
  async function save(andTest = false, planned = false): Promise<Target | null> {
    setBusy('saving');
    setError(null);
    setPlan(null);
    try {
      if (!isNew && !planned && hasScopeChanged(draft)) {
        setStatus('Working out who the new scope changes…');
        const preview = await callApi(scopePreviewSchema, 'POST', `/targets/${encodeURIComponent(saved.id)}/scope/preview`, { scope: scopeOf(draft.scope) });
        setPlan({ preview, andTest });
        setStatus('');
        return null;
      }
      setStatus('Saving…');
      const body = bodyOf(draft, isNew);
      const result = isNew
        ? await callApi(targetSchema, 'POST', '/targets', body)
        : await callApi(targetSchema, 'PATCH', `/targets/${encodeURIComponent(saved.id)}`, body);
      setSaved(result);
      setDraft((d) => ({ ...d, token: '', savedScope: draftOf(result).savedScope }));
      setStatus(`Saved “${result.name}”.`);
      onSaved(result);
      return result;
    } catch (e) {
      setError(e);
      setStatus('');
      return null;
    } finally {
      setBusy('');
    }
  }

  async function saveAndTest(planned = false) {
    setReport(null);
    const result = await save(true, planned);
    if (!result) return;
    setBusy('testing');
    setStatus('Testing the connection…');
    try {
      const test = await callApi(testResultSchema, 'POST', `/targets/${encodeURIComponent(result.id)}/test`, {});
      setReport(test);
      setStatus(test.ok ? 'Saved and tested: the target answers.' : 'Saved, but the test failed.');
      const fresh = await callApi(targetSchema, 'GET', `/targets/${encodeURIComponent(result.id)}`);
      setSaved(fresh);
      onSaved(fresh);
    } catch (e) {
      setError(e);
      setStatus('');
    } finally {
      setBusy('');
    }
  }

  const onSubmit = (e: SubmitEvent) => {
    e.preventDefault();
    void saveAndTest();
  };

  const text = (
    id: string,
    key: 'name' | 'baseUrl' | 'intervalMinutes' | 'rateLimitPerSecond' | 'concurrency' | 'deletionThreshold' | 'creationThreshold',
    label: string,
    path: string,
    opts: TextFieldOptions = {},
  ) => <TextField id={id} label={label} error={err(path)} value={draft[key]} onInput={(v) => set(key, v)} {...opts} />;

  return (
    <form class="target-form" onSubmit={onSubmit} noValidate aria-labelledby="target-form-heading">
      <h3 id="target-form-heading">{isNew ? 'New target' : `Edit “${saved.name}”`}</h3>
      <fieldset>
        <legend>Connection</legend>
        {text('t-name', 'name', 'Name', 'name', { placeholder: 'Wiki' })}
        <Field id="t-kind" label="Kind" error={err('kind')}>
          <select id="t-kind" value={draft.kind} disabled={!isNew} onChange={(e) => setKind(e.currentTarget.value as KindName)}>
            {(Object.keys(KIND_LABELS) as KindName[]).map((k) => (
              <option key={k} value={k}>
                {KIND_LABELS[k]}
              </option>
            ))}
          </select>
        </Field>
        {text('t-base-url', 'baseUrl', draft.kind === 'scim' ? 'SCIM base URL' : 'Site address', 'baseUrl', {
          type: 'url',
          placeholder: draft.kind === 'scim' ? 'https://app.example.com/scim/v2' : 'https://cms.example.com',
        })}
        <Field
          id="t-token"
          label={tokenLabel(draft)}
          hint={isNew ? 'Stored encrypted; never shown again.' : 'Stored encrypted. Leave blank to keep the saved one.'}
          error={err('token')}
        >
          <input
            id="t-token"
            type="password"
            autoComplete="off"
            spellcheck={false}
            value={draft.token}
            aria-invalid={err('token') ? 'true' : undefined}
            aria-describedby={describedBy('t-token', true, err('token'))}
            onInput={(e) => set('token', e.currentTarget.value)}
          />
        </Field>
        {isCmsKind(draft.kind) && <CmsOptions kind={draft.kind} draft={draft} targetId={saved?.id ?? null} set={set} err={err} />}
        <Field id="t-matching" label="Matching" hint="How an unlinked user is found on the target, one attribute per line, in order." error={err('matching')}>
          <textarea
            id="t-matching"
            rows={2}
            value={draft.matching}
            aria-invalid={err('matching') ? 'true' : undefined}
            aria-describedby={describedBy('t-matching', true, err('matching'))}
            onInput={(e) => set('matching', e.currentTarget.value)}
          />
        </Field>
      </fieldset>

      <ScopeEditor draft={draft.scope} onChange={(scope) => set('scope', scope)} err={err} />

      <fieldset>
        <legend>Modes and operations</legend>
        {MODE_NAMES.map((mode) => (
          <fieldset key={mode} class="mode" aria-describedby={`t-mode-${mode}-hint`}>
            <legend>
              <label class="check">
                <input type="checkbox" checked={draft.modes[mode].enabled} onChange={(e) => setMode(mode, { enabled: e.currentTarget.checked })} />
                {MODE_WORDS[mode].label}
              </label>
            </legend>
            <p class="hint" id={`t-mode-${mode}-hint`}>
              {MODE_WORDS[mode].hint}
            </p>
            <div class="checks" role="group" aria-label={`${MODE_WORDS[mode].label} operations`}>
              {OPERATION_NAMES.map((op) => (
                <label class="check" key={op}>
                  <input
                    type="checkbox"
                    checked={draft.modes[mode].operations[op]}
                    disabled={!draft.modes[mode].enabled}
                    onChange={(e) => setMode(mode, { operations: { ...draft.modes[mode].operations, [op]: e.currentTarget.checked } })}
                  />
                  {op}
                </label>
              ))}
            </div>
            {mode === 'scheduled' &&
              draft.modes.scheduled.enabled &&
              text('t-interval', 'intervalMinutes', 'Every (minutes)', 'modes.scheduled.intervalMinutes', { type: 'number' })}
            {err(`modes.${mode}`) && mode !== 'scheduled' && <p class="field-error">{err(`modes.${mode}`)}</p>}
          </fieldset>
        ))}
      </fieldset>

      <fieldset>
        <legend>Safety and pace</legend>
        {text('t-rate', 'rateLimitPerSecond', 'Requests per second', 'rateLimitPerSecond', { type: 'number' })}
        {text('t-concurrency', 'concurrency', 'Concurrent requests (at most 6)', 'concurrency', { type: 'number' })}
        {text('t-threshold', 'deletionThreshold', 'Deletion threshold', 'deletionThreshold', {
          type: 'number',
          hint: 'More deactivations and deletions than this within the deletion window (60 minutes by default) are held for approval.',
        })}
        {text('t-creation-threshold', 'creationThreshold', 'Creation threshold', 'creationThreshold', {
          type: 'number',
          hint: 'More account creations than this (a first sync, a scope change, a big import) wait for approval. 0: no guard.',
        })}
        <ProtectedAccountsField value={draft.protectedAccounts} onChange={(v) => set('protectedAccounts', v)} error={err('protectedAccounts')} />
        <label class="check">
          <input type="checkbox" checked={draft.dryRun} onChange={(e) => set('dryRun', e.currentTarget.checked)} />
          Dry run (record what would be sent, send nothing)
        </label>
        <label class="check">
          <input type="checkbox" checked={draft.pushGroups} onChange={(e) => set('pushGroups', e.currentTarget.checked)} />
          Push groups and their members
        </label>
      </fieldset>

      <FormFooter onCancel={onCancel} status={busy === 'testing' ? 'Testing the connection…' : status} error={error} shownPaths={FIELD_PATHS}>
        <button type="submit" class="primary" disabled={busy !== ''}>
          Save and test
        </button>
        <button type="button" disabled={busy !== ''} onClick={() => void save()}>
          Save
        </button>
      </FormFooter>
      {plan && saved && (
        <ScopePreviewPanel
          preview={plan.preview}
          targetName={saved.name}
          busy={busy !== ''}
          onApply={() => void (plan.andTest ? saveAndTest(true) : save(false, true))}
          onCancel={() => {
            setPlan(null);
            setStatus('The scope was not changed.');
          }}
        />
      )}
      {report && <TestReport report={report} />}
    </form>
  );
}
