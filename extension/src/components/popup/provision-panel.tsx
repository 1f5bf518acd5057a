import { useEffect, useState } from 'preact/hooks';
import { z } from 'zod';
import type { LookupHit } from '../../../../shared/src/api';
import { pageUserToScim } from '../../../../shared/src/page-user';
import { provisionResultSchema } from '../../../../shared/src/provisioning';
import { userSummarySchema } from '../../../../shared/src/api';
import { callApi } from '../../lib/console-api';
import type { CurrentUserResponse } from '../../lib/messages';
import { siteLookupResponseSchema, type SiteLookupResponse } from '../../lib/relay-client';
import { Problem } from '../ui/problem';
import { StatusLine } from '../ui/status-line';
import { pageUserOf } from './page-user';
import { linkLabel, overrideSaid } from '../../overlay/link-state';
import { OverrideSelect } from '../ui/override-select';
import { TargetProgress, type TargetRun } from './target-progress';

type PageUserView = NonNullable<CurrentUserResponse>;
const provisionSchema = z.object({ userId: z.string(), results: z.array(provisionResultSchema) });
const upsertSchema = z.object({ outcome: z.enum(['created', 'updated', 'unchanged']), user: userSummarySchema });
/** `site`: the request a CMS target's site receives (its own fields), null for a SCIM target. */
const previewSchema = z.object({
  payload: z.record(z.string(), z.unknown()),
  cleared: z.array(z.string()),
  site: z.object({ method: z.string(), path: z.string(), body: z.unknown() }).nullable().default(null),
});

/** The directory user for the page user: by the site's uid first, then userName, then email. */
function hitOf(lookup: SiteLookupResponse, u: PageUserView): LookupHit | null {
  return lookup.uids?.[u.uid] ?? lookup.userNames[u.name] ?? (u.mail ? lookup.emails[u.mail] : null) ?? null;
}

/**
 * "Provision this user": finds the page's user in the relay, lets the admin pick targets, and
 * provisions to each target side by side so each shows its own progress and step trace. A user
 * the relay does not know is imported from the site when it is a source, or else created from
 * what the page shows, after the admin has seen what will be sent.
 */
export function ProvisionPanel({ user }: { user: PageUserView }) {
  const [lookup, setLookup] = useState<SiteLookupResponse | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [chosen, setChosen] = useState<string[]>([]);
  const [runs, setRuns] = useState<Record<string, TargetRun>>({});
  const [busy, setBusy] = useState(false);
  const [status, setStatus] = useState('');
  const [previews, setPreviews] = useState<Record<string, string>>({});
  const [reviewed, setReviewed] = useState(false);

  async function load() {
    setError(null);
    try {
      const body = { site: user.site, uids: [user.uid], userNames: [user.name], ...(user.mail ? { emails: [user.mail] } : {}) };
      const result = await callApi(siteLookupResponseSchema, 'POST', '/users/lookup', body);
      setLookup(result);
      setChosen((c) => (c.length > 0 ? c : result.targets.filter((t) => t.status === 'active').map((t) => t.id)));
    } catch (e) {
      setError(e);
    }
  }
  useEffect(() => void load(), [user.site, user.uid]);

  const hit = lookup ? hitOf(lookup, user) : null;
  const sources = lookup?.site?.sources ?? [];
  const targets = lookup?.targets ?? [];
  const mode: 'known' | 'import' | 'create' = hit ? 'known' : sources.length > 0 ? 'import' : 'create';

  async function provisionTo(userId: string) {
    setRuns(Object.fromEntries(chosen.map((id) => [id, { state: 'running' } as TargetRun])));
    await Promise.all(
      chosen.map(async (targetId) => {
        let run: TargetRun;
        try {
          const answer = await callApi(provisionSchema, 'POST', `/users/${encodeURIComponent(userId)}/provision`, { targetIds: [targetId] });
          const result = answer.results.find((r) => r.targetId === targetId);
          run = result ? { state: 'done', result } : { state: 'error', error: 'Manual mode is off for this target: nothing was sent.' };
        } catch (e) {
          run = { state: 'error', error: e instanceof Error ? e.message : String(e) };
        }
        setRuns((r) => ({ ...r, [targetId]: run }));
      }),
    );
  }

  async function provision() {
    setBusy(true);
    setError(null);
    setRuns({});
    try {
      let userId = hit?.user.id;
      if (!userId && mode === 'import') {
        setStatus(`Importing ${user.name} from ${sources[0]!.name}…`);
        await callApi(z.unknown(), 'POST', `/sources/${encodeURIComponent(sources[0]!.id)}/users/${encodeURIComponent(user.uid)}/import`, {});
        const again = await callApi(siteLookupResponseSchema, 'POST', '/users/lookup', { site: user.site, uids: [user.uid], userNames: [user.name] });
        userId = hitOf(again, user)?.user.id;
        if (!userId) throw new Error(`The import from ${sources[0]!.name} did not bring ${user.name} into the directory.`);
      }
      if (!userId) {
        setStatus(`Adding ${user.name} to the directory…`);
        userId = (await callApi(upsertSchema, 'POST', '/users', pageUserOf(user))).user.id;
      }
      setStatus('Provisioning…');
      await provisionTo(userId);
      setStatus('Done.');
      void load();
    } catch (e) {
      setError(e);
      setStatus('');
    } finally {
      setBusy(false);
    }
  }

  /** "What will be sent": the directory user the page becomes, and each chosen target's payload. */
  async function review() {
    setError(null);
    setStatus('Preparing the preview…');
    try {
      const entries = await Promise.all(
        chosen.map(async (id) => {
          const p = await callApi(previewSchema, 'POST', `/targets/${encodeURIComponent(id)}/preview`, { user: pageUserOf(user), phase: 'create' });
          const shown = p.site ? `${p.site.method} ${p.site.path}\n${JSON.stringify(p.site.body, null, 2)}` : JSON.stringify(p.payload, null, 2);
          return [id, shown] as const;
        }),
      );
      setPreviews(Object.fromEntries(entries));
      setReviewed(true);
      setStatus('');
    } catch (e) {
      setError(e);
      setStatus('');
    }
  }

  const toggle = (id: string, on: boolean) => {
    setChosen((c) => (on ? [...c, id] : c.filter((x) => x !== id)));
    setReviewed(false);
  };
  const nameOf = (id: string) => targets.find((t) => t.id === id)?.name ?? id;

  return (
    <section aria-labelledby="user-heading">
      <h2 id="user-heading">
        {user.displayName ?? user.name} <span class="muted">(uid {user.uid})</span>
      </h2>
      <p class="muted">
        {user.name}
        {user.mail ? ` · ${user.mail}` : ''}
        {user.status ? ` · ${user.status}` : ''} · {new URL(user.site).host}
      </p>
      {!lookup && !error && <StatusLine text="Looking the user up in the relay…" />}
      <Problem error={error} />
      {lookup && (
        <>
          <p data-testid="directory-state">
            {hit
              ? `In the directory as ${hit.user.userName}.`
              : mode === 'import'
                ? `Not in the directory yet: it will be imported from ${sources[0]!.name} first.`
                : (lookup.site?.targets.length ?? 0) > 0
                  ? `Not in the directory. This site is a target (${lookup.site!.targets.map((t) => t.name).join(', ')}), not a source: the relay will add the user from what this page shows.`
                  : 'Not in the directory, and this site is neither a source nor a target: the relay will add the user from what this page shows.'}
          </p>
          {targets.length === 0 ? (
            <p>The relay has no targets yet: add one in the console.</p>
          ) : (
            <fieldset>
              <legend>Provision to</legend>
              {targets.map((t) => {
                const link = hit?.links.find((l) => l.targetId === t.id);
                return (
                  <div class="target-choice" key={t.id} data-target={t.name} data-state={link?.state}>
                    <label class="check">
                      <input type="checkbox" checked={chosen.includes(t.id)} disabled={busy} onChange={(e) => toggle(t.id, e.currentTarget.checked)} />
                      {t.name}
                      {t.status === 'paused' ? ' (paused)' : ''}
                      {link ? <span class="muted"> — {linkLabel(link)}</span> : null}
                    </label>
                    {hit && (
                      <OverrideSelect
                        targetId={t.id}
                        targetName={t.name}
                        userId={hit.user.id}
                        userName={hit.user.userName}
                        value={link?.override ?? null}
                        onError={setError}
                        onSaved={(override) => {
                          setStatus(overrideSaid(hit.user.userName, t.name, override));
                          void load();
                        }}
                      />
                    )}
                  </div>
                );
              })}
            </fieldset>
          )}
          {mode === 'create' && reviewed && (
            <section aria-label="What will be sent" class="review">
              <h3>What will be sent</h3>
              <p>The directory user:</p>
              <pre class="payload">{JSON.stringify(pageUserToScim(pageUserOf(user)), null, 2)}</pre>
              {chosen.map((id) => (
                <div key={id}>
                  <p>To {nameOf(id)}:</p>
                  <pre class="payload">{previews[id] ?? ''}</pre>
                </div>
              ))}
            </section>
          )}
          <div class="actions">
            {mode === 'create' && !reviewed ? (
              <button type="button" class="primary" disabled={busy || chosen.length === 0} onClick={() => void review()}>
                Review what will be sent
              </button>
            ) : (
              <button type="button" class="primary" disabled={busy || chosen.length === 0} onClick={() => void provision()}>
                {mode === 'create' ? 'Add and provision' : 'Provision this user'}
              </button>
            )}
          </div>
        </>
      )}
      <StatusLine text={status} />
      {Object.keys(runs).length > 0 && (
        <ul class="target-runs" aria-label="Results" aria-live="polite">
          {Object.entries(runs).map(([id, run]) => (
            <TargetProgress key={id} name={nameOf(id)} run={run} />
          ))}
        </ul>
      )}
    </section>
  );
}
