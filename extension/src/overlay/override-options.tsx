/** The options of an override picker, in OVERRIDE_CHOICES' order: the console's, the popup's and the People page panel's pickers offer the same three. */
import { OVERRIDE_CHOICES } from './link-state';

export function OverrideOptions() {
  return (
    <>
      {OVERRIDE_CHOICES.map((c) => (
        <option key={c.label} value={c.value ?? ''}>
          {c.label}
        </option>
      ))}
    </>
  );
}
