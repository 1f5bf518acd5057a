/**
 * Sources: CRUD for the admin API. Credentials are write-only: encrypted on the way in (like
 * target tokens, auth/secrets.ts), decrypted only for the importer, never part of a `Source`.
 */
import {
  sourceCredentialsSchema,
  sourceSchema,
  sourceSettingsSchema,
  type Source,
  type SourceCreate,
  type SourceCredentials,
  type SourceSettings,
  type SourceUpdate,
} from '../../../shared/src/sources';
import { decryptSecret, encryptSecret, isLegacySealed, type SecretOwner } from '../auth/secrets';
import { swapSourceBaseUrl, swapSourceCredentialsEnc } from '../db/legacy-rows';
import { hasUserinfo, withoutUserinfo } from '../../../shared/src/base-url';
import {
  deleteSourceRow,
  insertSource,
  selectSource,
  selectSources,
  updateSourceRow,
  updateSourceSettingsRow,
  type SourceRow,
  type SourceRowUpdate,
} from '../db/sources';
import type { Env } from '../env';

const nowIso = () => new Date().toISOString();

export function toSource(row: SourceRow): Source {
  const settings = JSON.parse(row.settings) as SourceSettings & { credentialsType?: 'basic' | 'bearer' };
  const { credentialsType, ...rest } = settings;
  return sourceSchema.parse({
    id: row.id,
    name: row.name,
    kind: row.kind,
    baseUrl: row.baseUrl,
    credentials: { type: credentialsType ?? 'basic' },
    settings: sourceSettingsSchema.parse(rest),
    status: row.status,
    pausedReason: row.pausedReason,
    watermark: row.watermark,
    running: row.cursor !== null,
    // the importer's cursor (importer.ts) says when its run stopped on a nearly full database
    stopped: row.cursor !== null && (JSON.parse(row.cursor) as { stopped?: boolean }).stopped === true,
    lastRunAt: row.lastRunAt,
    lastFullAt: row.lastFullAt,
    lastError: row.lastError,
    created: row.created,
    updated: row.updated,
  });
}

/** The credential type is not secret: it rides along with the settings so the API can show it. */
const settingsText = (settings: SourceSettings, credentials: Pick<SourceCredentials, 'type'>) =>
  JSON.stringify({ ...settings, credentialsType: credentials.type });

/** A source's credentials are sealed for its own row (AES-GCM additional data). */
const ownerOf = (id: string): SecretOwner => ({ kind: 'source', id });

export async function createSource(env: Env, input: SourceCreate): Promise<Source> {
  const now = nowIso();
  const id = crypto.randomUUID();
  const row = await insertSource(env.DB, {
    id,
    name: input.name,
    kind: input.kind,
    baseUrl: input.baseUrl,
    credentialsEnc: await encryptSecret(env.RELAY_ENCRYPTION_KEY, JSON.stringify(input.credentials), ownerOf(id)),
    settings: settingsText(input.settings, input.credentials),
    status: 'active',
    created: now,
    updated: now,
  });
  return toSource(row);
}

export async function listSources(env: Env): Promise<Source[]> {
  return (await selectSources(env.DB)).map(toSource);
}

export async function getSource(env: Env, id: string): Promise<Source | null> {
  const row = await selectSource(env.DB, id);
  return row ? toSource(row) : null;
}

/**
 * A partial update. A new base URL or new credentials start the import over (no watermark, no
 * run in progress): the old watermark belongs to another site or account. For new credentials
 * that matters as much as for a new URL: another account may see accounts the old one could
 * not (blocked users, more roles), and an incremental run would only read what changed since.
 * Without a watermark the next run is a full reconciliation with the new account's view.
 */
export async function updateSource(env: Env, id: string, patch: SourceUpdate): Promise<Source | null> {
  const current = await selectSource(env.DB, id);
  if (!current) return null;
  const source = toSource(current);
  const set: SourceRowUpdate = { updated: nowIso() };
  if (patch.name !== undefined) set.name = patch.name;
  if (patch.baseUrl !== undefined && patch.baseUrl !== current.baseUrl) {
    set.baseUrl = patch.baseUrl;
    set.watermark = null;
    set.cursor = null;
  }
  if (patch.credentials !== undefined) {
    set.credentialsEnc = await encryptSecret(env.RELAY_ENCRYPTION_KEY, JSON.stringify(patch.credentials), ownerOf(id));
    set.watermark = null;
    set.cursor = null;
  }
  if (patch.settings !== undefined || patch.credentials !== undefined) {
    set.settings = settingsText(patch.settings ?? source.settings, patch.credentials ?? source.credentials);
  }
  if (patch.status !== undefined) set.status = patch.status;
  if (patch.status === 'active') set.pausedReason = null;
  const row = patch.settings !== undefined ? await updateSourceSettingsRow(env.DB, id, set) : await updateSourceRow(env.DB, id, set);
  return row ? toSource(row) : null;
}

export async function deleteSource(env: Env, id: string): Promise<boolean> {
  return deleteSourceRow(env.DB, id);
}

/**
 * The source with its decrypted credentials, for the importer only. A row from an older release
 * is upgraded the first time it opens: its credentials re-sealed for the row, its base URL
 * stored without credentials. Throws SecretUnreadable when they cannot be opened.
 */
export async function loadSourceSecret(env: Env, id: string): Promise<{ source: Source; row: SourceRow; credentials: SourceCredentials } | null> {
  const row = await selectSource(env.DB, id);
  if (!row) return null;
  const opened = await decryptSecret(env.RELAY_ENCRYPTION_KEY, row.credentialsEnc, ownerOf(id));
  const credentials = sourceCredentialsSchema.parse(JSON.parse(opened));
  if (isLegacySealed(row.credentialsEnc))
    await swapSourceCredentialsEnc(env.DB, id, row.credentialsEnc, await encryptSecret(env.RELAY_ENCRYPTION_KEY, opened, ownerOf(id)));
  if (hasUserinfo(row.baseUrl)) await swapSourceBaseUrl(env.DB, id, row.baseUrl, withoutUserinfo(row.baseUrl));
  return { source: toSource(row), row, credentials };
}
