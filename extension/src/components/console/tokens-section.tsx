import { useState } from 'preact/hooks';
import { z } from 'zod';
import { TOKEN_SCOPES, tokenCreatedSchema, tokenSchema, type ApiToken } from '../../../../shared/src/tokens';
import { callApi } from '../../lib/console-api';
import { ConfirmButton } from '../ui/confirm-button';
import { describedBy, Field } from '../ui/field';
import { issueText } from '../ui/field-issues';
import { Problem } from '../ui/problem';
import { StatusLine } from '../ui/status-line';
import { useAction } from '../ui/use-action';
import { useLoad } from '../ui/use-load';
import { ListState } from '../ui/list-state';
import { ListTable } from '../ui/list-table';

const listSchema = z.object({ items: z.array(tokenSchema) });

const SCOPE_WORDS: Record<(typeof TOKEN_SCOPES)[number], string> = {
  'scim:read': 'SCIM read (an IdP’s lookups)',
  'scim:write': 'SCIM write (an IdP’s creates and updates)',
  admin: 'Admin (this console, the admin API)',
};

/** API tokens: list, create (the secret shown once, here), revoke. */
export function TokensSection() {
  const list = useLoad(() => callApi(listSchema, 'GET', '/tokens'), []);
  const [name, setName] = useState('');
  const [scopes, setScopes] = useState<string[]>(['scim:read', 'scim:write']);
  const [created, setCreated] = useState<{ name: string; secret: string } | null>(null);
  const { act, error, setError, status, setStatus } = useAction(list.reload);

  async function create(e: SubmitEvent) {
    e.preventDefault();
    setError(null);
    setCreated(null);
    try {
      const result = await callApi(tokenCreatedSchema, 'POST', '/tokens', { name, scopes });
      setCreated({ name: result.token.name, secret: result.secret });
      setName('');
      list.reload();
    } catch (err) {
      setError(err);
    }
  }

  const revoke = (t: ApiToken) => act(async () => (await callApi(tokenSchema, 'DELETE', `/tokens/${encodeURIComponent(t.id)}`), `Revoked “${t.name}”.`));

  const nameError = issueText(error, 'name');
  const scopesError = issueText(error, 'scopes');
  return (
    <section aria-labelledby="tokens-heading">
      <h2 id="tokens-heading">Tokens</h2>
      <p class="hint">Tokens are stored hashed: a secret is shown once, when it is created.</p>
      <ListState list={list} loadingText="Loading tokens…" />
      {list.data && (
        <ListTable label="Tokens" columns={['Name', 'Scopes', 'Created', 'Last used', 'State', 'Actions']}>
          {list.data.items.map((t) => (
            <tr key={t.id}>
              <th scope="row">{t.name}</th>
              <td>{t.scopes.join(', ')}</td>
              <td>{new Date(t.created).toLocaleString()}</td>
              <td>{t.lastUsed ? new Date(t.lastUsed).toLocaleString() : 'never'}</td>
              <td>{t.revoked ? `revoked ${new Date(t.revoked).toLocaleString()}` : 'active'}</td>
              <td>
                {!t.revoked && (
                  <ConfirmButton
                    label="Revoke"
                    question={`Revoke “${t.name}”? Whatever uses it stops working at once.`}
                    confirmLabel="Yes, revoke"
                    onConfirm={() => void revoke(t)}
                  />
                )}
              </td>
            </tr>
          ))}
          {list.data.items.length === 0 && (
            <tr>
              <td colSpan={6}>No named tokens yet (the bootstrap token is not listed).</td>
            </tr>
          )}
        </ListTable>
      )}
      <StatusLine text={status} />

      <form onSubmit={create} noValidate aria-labelledby="token-new-heading">
        <h3 id="token-new-heading">New token</h3>
        <Field id="token-name" label="Name" hint="Who uses it, e.g. “Entra ID”." error={nameError}>
          <input
            id="token-name"
            value={name}
            aria-invalid={nameError ? 'true' : undefined}
            aria-describedby={describedBy('token-name', true, nameError)}
            onInput={(e) => setName(e.currentTarget.value)}
          />
        </Field>
        <fieldset aria-describedby={scopesError ? 'token-scopes-error' : undefined}>
          <legend>Scopes</legend>
          {TOKEN_SCOPES.map((s) => (
            <label class="check" key={s}>
              <input
                type="checkbox"
                checked={scopes.includes(s)}
                onChange={(e) => setScopes(e.currentTarget.checked ? [...scopes, s] : scopes.filter((x) => x !== s))}
              />
              {SCOPE_WORDS[s]}
            </label>
          ))}
          {scopesError && (
            <p class="field-error" id="token-scopes-error" role="alert">
              {scopesError}
            </p>
          )}
        </fieldset>
        <button type="submit" class="primary">
          Create token
        </button>
        <Problem error={error} shownPaths={['name', 'scopes']} />
      </form>
      {created && (
        <div class="secret" role="status">
          <p>Token “{created.name}” created. Copy the secret now: it is not shown again.</p>
          <label for="token-secret">Secret</label>
          <input id="token-secret" readOnly value={created.secret} onFocus={(e) => e.currentTarget.select()} />
          <button
            type="button"
            onClick={() =>
              void navigator.clipboard.writeText(created.secret).then(
                () => setStatus('Secret copied.'),
                () => setStatus('Copy failed: select the secret and copy it.'),
              )
            }
          >
            Copy
          </button>
        </div>
      )}
    </section>
  );
}
