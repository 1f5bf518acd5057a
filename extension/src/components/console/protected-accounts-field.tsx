import { useState } from 'preact/hooks';
import { describedBy, Field } from '../ui/field';

/**
 * The target's protected accounts (issue #9): userNames or remote ids the relay never updates,
 * deactivates or deletes, besides what it protects on its own (its own login on the site, a
 * Drupal or WordPress site's first account, Joomla Super Users). A list with add and remove.
 */
export function ProtectedAccountsField({ value, onChange, error }: { value: string[]; onChange: (next: string[]) => void; error: string | undefined }) {
  const [entry, setEntry] = useState('');
  const add = () => {
    const account = entry.trim();
    if (account && !value.includes(account)) onChange([...value, account]);
    setEntry('');
  };
  return (
    <Field
      id="t-protected"
      label="Protected accounts"
      hint="userNames or remote ids the relay never updates, deactivates or deletes on this target (its own login and the site’s first administrator are always protected)."
      error={error}
    >
      <div class="protected-accounts">
        <ul aria-label="Protected accounts">
          {value.map((account) => (
            <li key={account}>
              <span>{account}</span>
              <button type="button" aria-label={`Remove ${account}`} onClick={() => onChange(value.filter((a) => a !== account))}>
                Remove
              </button>
            </li>
          ))}
        </ul>
        <input
          id="t-protected"
          type="text"
          spellcheck={false}
          placeholder="userName or remote id"
          value={entry}
          aria-invalid={error ? 'true' : undefined}
          aria-describedby={describedBy('t-protected', true, error)}
          onInput={(e) => setEntry(e.currentTarget.value)}
          onKeyDown={(e) => {
            // Enter adds the entry instead of submitting the form.
            if (e.key === 'Enter') {
              e.preventDefault();
              add();
            }
          }}
        />
        <button type="button" onClick={add} disabled={entry.trim() === ''}>
          Add
        </button>
      </div>
    </Field>
  );
}
