import type { Target } from '../../../../shared/src/targets';

/**
 * A target as the console's form holds it: text where the admin types, booleans for boxes.
 * Numbers stay text until sent, so a bad one comes back from the API with its key path.
 */
export const MODE_NAMES = ['manual', 'automatic', 'scheduled'] as const;
export type ModeName = (typeof MODE_NAMES)[number];
export const OPERATION_NAMES = ['create', 'update', 'deactivate', 'delete'] as const;
export type OperationName = (typeof OPERATION_NAMES)[number];
export const KIND_LABELS = { scim: 'SCIM 2.0 app', 'drupal-jsonapi': 'Drupal site (core JSON:API)' } as const;
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
  dryRun: boolean;
  pushGroups: boolean;
  drupalAuth: 'basic' | 'bearer';
  jsonapiPath: string;
  /** Drupal: one "Group name = role_machine_name" per line */
  roleMap: string;
  /** a Drupal target's saved options: role map and fields are kept as they are */
  savedOptions: Record<string, unknown> | null;
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
    dryRun: false,
    pushGroups: false,
    drupalAuth: 'basic',
    jsonapiPath: '/jsonapi',
    roleMap: '',
    savedOptions: null,
  };
}

export function draftOf(t: Target): TargetDraft {
  const options = ((t as { options?: unknown }).options ?? null) as ({ auth?: 'basic' | 'bearer'; jsonapiPath?: string } & Record<string, unknown>) | null;
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
    dryRun: t.dryRun,
    pushGroups: t.pushGroups,
    drupalAuth: options?.auth ?? 'basic',
    jsonapiPath: options?.jsonapiPath ?? '/jsonapi',
    roleMap: Object.entries((options?.roleMap ?? {}) as Record<string, string>)
      .map(([group, role]) => `${group} = ${role}`)
      .join('\n'),
    savedOptions: options,
  };
}

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
    matching: d.matching.split('\n').map((s) => s.trim()).filter(Boolean),
    modes: {
      manual: d.modes.manual,
      automatic: d.modes.automatic,
      scheduled: { ...d.modes.scheduled, intervalMinutes: num(d.intervalMinutes) },
    },
    rateLimitPerSecond: num(d.rateLimitPerSecond),
    concurrency: num(d.concurrency),
    deletionThreshold: num(d.deletionThreshold),
    dryRun: d.dryRun,
    pushGroups: d.pushGroups,
  };
  if (isNew) body.kind = d.kind;
  if (isNew || d.token !== '') body.token = d.token;
  if (d.kind === 'drupal-jsonapi') body.options = { ...(d.savedOptions ?? {}), auth: d.drupalAuth, jsonapiPath: d.jsonapiPath.trim() || '/jsonapi', roleMap: roleMapPatch(d, isNew) };
  return body;
}

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
    });
  return Object.fromEntries(entries);
}
