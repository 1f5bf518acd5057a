import { useEffect, useState } from 'preact/hooks';
import { z } from 'zod';
import { userSummarySchema, type UserSummary } from '../../../../shared/src/api';
import type { Target } from '../../../../shared/src/targets';
import { callApi, query } from '../../lib/console-api';
import { issueText } from '../ui/field-issues';
import { Problem } from '../ui/problem';
import { rulesOf, type RuleDraft } from './mapping-draft';

/** `site`: what a CMS target's site receives (the connector's translation); null for a SCIM target. */
const previewSchema = z.object({
  payload: z.record(z.string(), z.unknown()),
  cleared: z.array(z.string()),
  site: z.object({ method: z.string(), path: z.string(), body: z.unknown() }).nullable().default(null),
});
const usersSchema = z.object({ items: z.array(userSummarySchema) });

/** How long the preview waits after the last keystroke before asking the relay. */
const DEBOUNCE_MS = 300;

/**
 * The exact payload the target would get for a chosen user with the rules as edited: a SCIM
 * app's SCIM JSON, or the request a Drupal, WordPress or Joomla site receives (its own fields),
 * with the SCIM payload the mapping built folded away beneath it.
 */
export function PayloadPreview({ target, rules }: { target: Target; rules: readonly RuleDraft[] }) {
  const [search, setSearch] = useState('');
  const [users, setUsers] = useState<UserSummary[]>([]);
  const [userId, setUserId] = useState('');
  const [phase, setPhase] = useState<'create' | 'update'>('create');
  const [preview, setPreview] = useState<z.infer<typeof previewSchema> | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [loading, setLoading] = useState(false);

  useEffect(() => {
    const timer = setTimeout(() => {
      callApi(usersSchema, 'GET', `/users${query({ q: search.trim() || undefined, limit: 20 })}`).then(
        (r) => {
          setUsers(r.items);
          if (!r.items.some((u) => u.id === userId)) setUserId(r.items[0]?.id ?? '');
        },
        (e: unknown) => setError(e),
      );
    }, DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [search]);

  const body = JSON.stringify(rulesOf(rules));
  useEffect(() => {
    if (!userId) {
      setPreview(null);
      return;
    }
    let stale = false;
    const timer = setTimeout(() => {
      setLoading(true);
      callApi(previewSchema, 'POST', `/targets/${encodeURIComponent(target.id)}/preview`, { userId, phase, mapping: JSON.parse(body) as unknown }).then(
        (p) => {
          if (stale) return;
          setPreview(p);
          setError(null);
          setLoading(false);
        },
        (e: unknown) => {
          if (stale) return;
          setError(e);
          setLoading(false);
        },
      );
    }, DEBOUNCE_MS);
    return () => {
      stale = true;
      clearTimeout(timer);
    };
  }, [userId, phase, body, target.id]);

  return (
    <section class="preview" aria-labelledby="preview-heading" aria-busy={loading ? 'true' : 'false'}>
      <h4 id="preview-heading">Live preview</h4>
      <label for="preview-search">Find a user</label>
      <input id="preview-search" type="search" placeholder="userName or email prefix" value={search} onInput={(e) => setSearch(e.currentTarget.value)} />
      <label for="preview-user">User</label>
      <select id="preview-user" value={userId} onChange={(e) => setUserId(e.currentTarget.value)}>
        {users.length === 0 && <option value="">No users found</option>}
        {users.map((u) => (
          <option key={u.id} value={u.id}>
            {u.userName}
            {u.displayName ? ` — ${u.displayName}` : ''}
          </option>
        ))}
      </select>
      <fieldset class="inline">
        <legend>Phase</legend>
        <label class="check">
          <input type="radio" name="preview-phase" checked={phase === 'create'} onChange={() => setPhase('create')} />
          create
        </label>
        <label class="check">
          <input type="radio" name="preview-phase" checked={phase === 'update'} onChange={() => setPhase('update')} />
          update
        </label>
      </fieldset>
      {error ? (
        // A bad rule is shown on its row by the editor too; here it explains the missing preview.
        <Problem error={error} shownPaths={issueText(error, 'mapping') ? ['mapping'] : []} />
      ) : null}
      {preview && !error && (
        <>
          {preview.site ? (
            <>
              <p class="site-request" data-testid="site-request">
                The site receives <code>{`${preview.site.method} ${preview.site.path}`}</code>:
              </p>
              <pre class="payload" aria-label="Payload" data-testid="payload">
                {JSON.stringify(preview.site.body, null, 2)}
              </pre>
              <details>
                <summary>SCIM payload the mapping built</summary>
                <pre class="payload" aria-label="SCIM payload" data-testid="scim-payload">
                  {JSON.stringify(preview.payload, null, 2)}
                </pre>
              </details>
            </>
          ) : (
            <pre class="payload" aria-label="Payload" data-testid="payload">
              {JSON.stringify(preview.payload, null, 2)}
            </pre>
          )}
          {preview.cleared.length > 0 && <p>Cleared on the target: {preview.cleared.join(', ')}</p>}
        </>
      )}
    </section>
  );
}
