import { describedBy, Field } from './field';

export type TextFieldOptions = { type?: 'text' | 'url' | 'number' | 'password'; hint?: string; placeholder?: string };

/** A one-line input inside <Field>, marked invalid and described by its error when the API gave one. */
export function TextField({
  id,
  label,
  error,
  value,
  onInput,
  autoComplete,
  type = 'text',
  hint,
  placeholder = '',
}: TextFieldOptions & { id: string; label: string; error: string | undefined; value: string; onInput: (value: string) => void; autoComplete?: string }) {
  return (
    <Field id={id} label={label} error={error} {...(hint ? { hint } : {})}>
      <input
        id={id}
        type={type as 'text'}
        placeholder={placeholder}
        autoComplete={autoComplete}
        value={value}
        aria-invalid={error ? 'true' : undefined}
        aria-describedby={describedBy(id, Boolean(hint), error)}
        onInput={(e) => onInput(e.currentTarget.value)}
      />
    </Field>
  );
}
