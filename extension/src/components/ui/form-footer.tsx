import type { ComponentChildren } from 'preact';
import { Problem } from './problem';
import { StatusLine } from './status-line';

/**
 * The end of a console edit form: its own buttons then Close, the status line, and the error
 * with the issues no field on screen claimed (`shownPaths`).
 */
export function FormFooter({
  children,
  onCancel,
  status,
  error,
  shownPaths,
}: {
  children: ComponentChildren;
  onCancel: () => void;
  status: string;
  error: unknown;
  shownPaths: readonly string[];
}) {
  return (
    <>
      <div class="actions">
        {children}
        <button type="button" onClick={onCancel}>
          Close
        </button>
      </div>
      <StatusLine text={status} />
      <Problem error={error} shownPaths={shownPaths} />
    </>
  );
}
