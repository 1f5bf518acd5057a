import type { Scope } from '../../../../shared/src/scope';
import type { Target } from '../../../../shared/src/targets';
import { isSameScope, scopeDraftOf, scopeOf, type ScopeDraft } from './scope-draft';

/**
 * A target as the console's form holds it: text where the admin types, booleans for boxes.
 * Numbers stay text until sent, so a bad one comes back from the API with its key path.
 */
export const MODE_NAMES = ['manual', 'automatic', 'scheduled'] as const;
export type ModeName = (typeof MODE_NAMES)[number];
export const OPERATION_NAMES = ['create', 'update', 'deactivate', 'delete'] as const;
export type OperationName = (typeof OPERATION_NAMES)[number];
export const KIND_LABELS = {
  scim: 'SCIM 2.0 app',
  'drupal-jsonapi': 'Drupal site (core JSON:API)',
  'wordpress-rest': 'WordPress site (core REST API)',
  'joomla-webservices': 'Joomla site (core Web Services API)',
} as const;
export type KindName = keyof typeof KIND_LABELS;

export interface ModeDraft {
  enabled: boolean;
  operations: Record<OperationName, boolean>;
}

export interface TargetDraft {
  name: string;
  kind: KindName;
  baseUrl: string;
  token: string;
  /** one matching attribute per line, tried in order */
  matching: string;
  modes: Record<ModeName, ModeDraft>;
  intervalMinutes: string;
  rateLimitPerSecond: string;
  concurrency: string;
  deletionThreshold: string;
  /** the mass-creation guard (issue #13): more creations than this wait for approval */
  creationThreshold: string;
  /** who is provisioned (issue #13), and the scope as saved (a PATCH nulls what the new kind lacks) */
  scope: ScopeDraft;
  savedScope: Scope | null;
  /** userNames or remote ids the relay never writes (protected.ts) */
  protectedAccounts: string[];
  dryRun: boolean;
  pushGroups: boolean;
  drupalAuth: 'basic' | 'bearer';
  jsonapiPath: string;
  /** CMS kinds: one "Group name = role" per line (Drupal machine name, WordPress slug, Joomla group id) */
  roleMap: string;
  /** a Drupal target's saved options: role map and fields are kept as they are */
  savedOptions: Record<string, unknown> | null;
  /** WordPress (shared/src/wordpress-target.ts) */
  wpRestPath: '/wp-json' | '/?rest_route=';
  wpDefaultRole: string;
  /** "relay-account", "delete-content" or a user id */
  wpReassign: string;
  wpAllowUserOne: boolean;
  /** Joomla (shared/src/joomla-target.ts); group ids comma-separated */
  joomlaApiPath: string;
  joomlaDefaultGroups: string;
  joomlaSuperUserGroups: string;
  joomlaAllowSuperUsers: boolean;
}

const ops = (del = false): Record<OperationName, boolean> => ({ create: true, update: true, deactivate: true, delete: del });

export function emptyDraft(): TargetDraft {
  return {
    name: '',
    kind: 'scim',
    baseUrl: '',
    token: '',
    matching: 'userName',
    modes: { manual: { enabled: true, operations: ops() }, automatic: { enabled: false, operations: ops() }, scheduled: { enabled: false, operations: ops() } },
    intervalMinutes: '60',
    rateLimitPerSecond: '10',
    concurrency: '4',
    deletionThreshold: '10',
    creationThreshold: '100',
    scope: scopeDraftOf(undefined),
    savedScope: null,
    protectedAccounts: [],
    dryRun: false,
    pushGroups: false,
    drupalAuth: 'basic',
    jsonapiPath: '/jsonapi',
    roleMap: '',
    savedOptions: null,
    wpRestPath: '/wp-json',
    wpDefaultRole: 'subscriber',
    wpReassign: 'relay-account',
    wpAllowUserOne: false,
    joomlaApiPath: '/api/index.php',
    joomlaDefaultGroups: '2',
    joomlaSuperUserGroups: '8',
    joomlaAllowSuperUsers: false,
  };
}

type AnyOptions = Partial<{
  auth: 'basic' | 'bearer';
  jsonapiPath: string;
  restPath: '/wp-json' | '/?rest_route=';
  defaultRole: string;
  reassign: string | number;
  allowUserOne: boolean;
  apiPath: string;
  defaultGroups: number[];
  superUserGroups: number[];
  allowSuperUsers: boolean;
}> &
  Record<string, unknown>;

export function draftOf(t: Target): TargetDraft {
  const options = ((t as { options?: unknown }).options ?? null) as AnyOptions | null;
  const empty = emptyDraft();
  const mode = (m: { enabled: boolean; operations: Record<OperationName, boolean> }): ModeDraft => ({ enabled: m.enabled, operations: { ...m.operations } });
  return {
    name: t.name,
    kind: (t.kind as KindName) ?? 'scim',
    baseUrl: t.baseUrl,
    token: '',
    matching: t.matching.join('\n'),
    modes: { manual: mode(t.modes.manual), automatic: mode(t.modes.automatic), scheduled: mode(t.modes.scheduled) },
    intervalMinutes: String(t.modes.scheduled.intervalMinutes),
    rateLimitPerSecond: String(t.rateLimitPerSecond),
    concurrency: String(t.concurrency),
    deletionThreshold: String(t.deletionThreshold),
    creationThreshold: String(t.creationThreshold),
    scope: scopeDraftOf(t.scope),
    savedScope: t.scope,
    protectedAccounts: t.protectedAccounts ?? [],
    dryRun: t.dryRun,
    pushGroups: t.pushGroups,
    drupalAuth: options?.auth ?? 'basic',
    jsonapiPath: options?.jsonapiPath ?? '/jsonapi',
    roleMap: Object.entries((options?.roleMap ?? {}) as Record<string, string | number>)
      .map(([group, role]) => `${group} = ${role}`)
      .join('\n'),
    savedOptions: options,
    wpRestPath: options?.restPath ?? empty.wpRestPath,
    wpDefaultRole: options?.defaultRole ?? empty.wpDefaultRole,
    wpReassign: options?.reassign !== undefined ? String(options.reassign) : empty.wpReassign,
    wpAllowUserOne: options?.allowUserOne ?? false,
    joomlaApiPath: options?.apiPath ?? empty.joomlaApiPath,
    joomlaDefaultGroups: options?.defaultGroups?.join(', ') ?? empty.joomlaDefaultGroups,
    joomlaSuperUserGroups: options?.superUserGroups?.join(', ') ?? empty.joomlaSuperUserGroups,
    joomlaAllowSuperUsers: options?.allowSuperUsers ?? false,
  };
}

/** Whether the form's scope differs from the saved one: an edit then shows the plan first. */
export const hasScopeChanged = (d: TargetDraft): boolean => !isSameScope(d.savedScope ?? undefined, scopeOf(d.scope));

/** "" stays "" (the API names the field); anything else becomes a number or NaN-as-text. */
const num = (text: string): number | string => {
  const trimmed = text.trim();
  const n = Number(trimmed);
  return trimmed !== '' && Number.isFinite(n) ? n : trimmed;
};

/**
 * The body for POST /targets (create) or PATCH /targets/{id} (update). An empty token on update
 * keeps the stored one; the kind is fixed once created.
 */
export function bodyOf(d: TargetDraft, isNew: boolean): Record<string, unknown> {
  const body: Record<string, unknown> = {
    name: d.name,
    baseUrl: d.baseUrl.trim(),
    matching: d.matching
      .split('\n')
      .map((s) => s.trim())
      .filter(Boolean),
    modes: {
      manual: d.modes.manual,
      automatic: d.modes.automatic,
      scheduled: { ...d.modes.scheduled, intervalMinutes: num(d.intervalMinutes) },
    },
    rateLimitPerSecond: num(d.rateLimitPerSecond),
    concurrency: num(d.concurrency),
    deletionThreshold: num(d.deletionThreshold),
    creationThreshold: num(d.creationThreshold),
    protectedAccounts: d.protectedAccounts,
    dryRun: d.dryRun,
    pushGroups: d.pushGroups,
  };
  if (isNew) body.kind = d.kind;
  // A scope sent unchanged would still be a scope change to the relay (a full pass): only a new one goes.
  // One of another kind replaces the saved scope whole (PATCH /targets/{id}), so it goes as it is.
  if (isNew || hasScopeChanged(d)) body.scope = scopeOf(d.scope);
  if (isNew || d.token !== '') body.token = d.token;
  if (d.kind === 'drupal-jsonapi')
    body.options = { ...(d.savedOptions ?? {}), auth: d.drupalAuth, jsonapiPath: d.jsonapiPath.trim() || '/jsonapi', roleMap: roleMapPatch(d, isNew) };
  if (d.kind === 'wordpress-rest') {
    const reassign = d.wpReassign.trim();
    body.options = {
      restPath: d.wpRestPath,
      roleMap: roleMapPatch(d, isNew),
      defaultRole: d.wpDefaultRole.trim(),
      reassign: reassign === 'relay-account' || reassign === 'delete-content' ? reassign : num(reassign),
      allowUserOne: d.wpAllowUserOne,
    };
  }
  if (d.kind === 'joomla-webservices') {
    // Joomla names groups by numeric id; text that is not a number goes as is, for the API to name.
    const roleMap = Object.fromEntries(Object.entries(roleMapPatch(d, isNew)).map(([group, id]) => [group, id === null ? null : num(id)]));
    body.options = {
      apiPath: d.joomlaApiPath.trim() || '/api/index.php',
      roleMap,
      defaultGroups: idsOf(d.joomlaDefaultGroups),
      superUserGroups: idsOf(d.joomlaSuperUserGroups),
      allowSuperUsers: d.joomlaAllowSuperUsers,
    };
  }
  return body;
}

/** "2, 8" → [2, 8]; a word that is not a number is sent as is so the API names it. */
export const idsOf = (text: string): (number | string)[] =>
  text
    .split(/[\s,]+/)
    .filter(Boolean)
    .map(num);

/**
 * PATCH is a JSON merge patch (RFC 7396): a map merges key by key, so a group the admin took out
 * of the role map is sent as null to remove it.
 */
function roleMapPatch(d: TargetDraft, isNew: boolean): Record<string, string | null> {
  const edited = roleMapOf(d.roleMap);
  if (isNew) return edited;
  const saved = Object.keys((d.savedOptions?.roleMap ?? {}) as Record<string, string>);
  return { ...Object.fromEntries(saved.map((group) => [group, null])), ...edited };
}

/** "Editors = content_editor" lines → { Editors: 'content_editor' }; the API checks the role names. */
export function roleMapOf(text: string): Record<string, string> {
  const entries = text
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean)
    .map((line) => {
      const at = line.lastIndexOf('=');
      return at < 0 ? [line, ''] : [line.slice(0, at).trim(), line.slice(at + 1).trim()];
    })
    // A picker row added but not filled in yet (" = ") is not a mapping.
    .filter(([group, role]) => group !== '' || role !== '');
  return Object.fromEntries(entries);
}

/** The role map's lines as [group, role] rows, for the picker; rows without a group are kept while edited. */
export function roleRowsOf(text: string): [string, string][] {
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const at = line.lastIndexOf('=');
      return at < 0 ? [line.trim(), ''] : [line.slice(0, at).trim(), line.slice(at + 1).trim()];
    });
}

/** [group, role] rows back to the draft's lines (a row the admin has not filled yet stays a " = " line). */
export const roleTextOf = (rows: readonly (readonly [string, string])[]): string => rows.map(([group, role]) => `${group} = ${role}`).join('\n');
