import { ApiProblem } from '../../lib/console-api';

/**
 * An error as the admin sees it: the message, plus the issues no field on screen claimed (each
 * with its key path). Text from the relay is rendered as text, never as HTML.
 */
export function Problem({ error, shownPaths = [] }: { error: unknown; shownPaths?: readonly string[] }) {
  if (error === null || error === undefined) return null;
  const message = error instanceof Error ? error.message : String(error);
  const rest = error instanceof ApiProblem ? error.issues.filter((i) => !shownPaths.some((p) => i.path === p || i.path.startsWith(`${p}.`))) : [];
  return (
    <div class="problem" role="alert">
      <p>{message}</p>
      {rest.length > 0 && (
        <ul>
          {rest.map((i) => (
            <li key={`${i.path}:${i.message}`}>
              {i.path ? <code>{i.path}</code> : null}
              {i.path ? ': ' : ''}
              {i.message}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
