/**
 * A target's scope (issue #13) as the console's form holds it, and back: the three kinds keep
 * their own inputs, so switching kind and back loses nothing the admin typed. The filter stays
 * text until sent, so a bad one comes back from the API with its key path (scope.filter).
 */
import { ALL_SCOPE, type Scope, type ScopePreview } from '../../../../shared/src/scope';

export const SCOPE_KINDS = ['all', 'groups', 'filter'] as const;
export type ScopeKind = (typeof SCOPE_KINDS)[number];

export const SCOPE_LABELS: Record<ScopeKind, string> = {
  all: 'All users',
  groups: 'Members of groups',
  filter: 'Matching a filter',
};

export const FILTER_EXAMPLE = 'userType eq "Employee" and active eq true';

/** A group the admin picked: the id is what the scope stores, the name what the form shows. */
export interface PickedGroup {
  id: string;
  displayName: string;
}

export interface ScopeDraft {
  kind: ScopeKind;
  groups: PickedGroup[];
  nested: boolean;
  filter: string;
}

/** The draft of a stored scope; group names come later from the directory (namesOf). */
export function scopeDraftOf(scope: Scope | undefined): ScopeDraft {
  const s = scope ?? ALL_SCOPE;
  return {
    kind: s.kind,
    groups: s.kind === 'groups' ? s.groupIds.map((id) => ({ id, displayName: id })) : [],
    nested: s.kind === 'groups' ? s.nested : true,
    filter: s.kind === 'filter' ? s.filter : '',
  };
}

/** The scope to send; an empty group list or filter goes as is, for the API to name. */
export function scopeOf(d: ScopeDraft): Scope {
  if (d.kind === 'groups') return { kind: 'groups', groupIds: d.groups.map((g) => g.id), nested: d.nested };
  if (d.kind === 'filter') return { kind: 'filter', filter: d.filter.trim() };
  return ALL_SCOPE;
}

/** Whether two scopes provision the same people (group order does not matter). */
export function isSameScope(a: Scope | undefined, b: Scope): boolean {
  const x = a ?? ALL_SCOPE;
  if (x.kind !== b.kind) return false;
  if (x.kind === 'groups' && b.kind === 'groups') return x.nested === b.nested && [...x.groupIds].sort().join('\n') === [...b.groupIds].sort().join('\n');
  if (x.kind === 'filter' && b.kind === 'filter') return x.filter.trim() === b.filter.trim();
  return true;
}

/** "3 accounts" / "1 account" / "no accounts". */
export const accounts = (n: number): string => (n === 0 ? 'no accounts' : n === 1 ? '1 account' : `${n} accounts`);

/** One line for a target's scope, as the targets list shows it. */
export function describeScope(scope: Scope): string {
  if (scope.kind === 'all') return 'all users';
  if (scope.kind === 'filter') return `users matching ${scope.filter}`;
  const groups = scope.groupIds.length === 1 ? '1 group' : `${scope.groupIds.length} groups`;
  return `members of ${groups}${scope.nested ? ' (and nested groups)' : ''}`;
}

/** The names a preview lists, at most `max`, with how many more there are. */
export function namesIn(users: ScopePreview['create'], total: number, max = 5): string {
  const shown = users.slice(0, max).map((u) => u.userName);
  const more = total - shown.length;
  return shown.length === 0 ? '' : `${shown.join(', ')}${more > 0 ? ` and ${more} more` : ''}`;
}

/** "N will be created, M deactivated": the headline of a scope change's plan. */
export function previewHeadline(p: ScopePreview): string {
  return `${p.counts.create} will be created, ${p.counts.deactivate} deactivated (${p.counts.inScope} in the new scope, ${p.counts.unchanged} unchanged).`;
}
