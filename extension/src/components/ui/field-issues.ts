import { ApiProblem, type ApiIssue } from '../../lib/console-api';

/** The API's issues (dotted key paths) for one field and everything under it. */
export function issuesAt(error: unknown, path: string): ApiIssue[] {
  if (!(error instanceof ApiProblem)) return [];
  return error.issues.filter((i) => i.path === path || i.path.startsWith(`${path}.`));
}

/** One line for a field: its issues' messages, with the sub-path where it is deeper. */
export function issueText(error: unknown, path: string): string | undefined {
  const issues = issuesAt(error, path);
  if (issues.length === 0) return undefined;
  return issues.map((i) => (i.path === path ? i.message : `${i.path.slice(path.length + 1)}: ${i.message}`)).join('; ');
}
