/**
 * Re-imports one account now (`POST /api/v1/sources/{id}/users/{uid}/import`): the extension
 * calls it when an admin saves a user on the Drupal site or asks to provision them. The change
 * stamp is ignored (the admin asked), and an account the source does not return is left alone:
 * "not found" may be a deletion or an account the credentials cannot see, and only a complete
 * reconciliation may tell the two apart.
 */
import { insertImportRun, updateSourceRow } from '../db/sources';
import type { Env } from '../env';
import { applyPage, type UserOutcome } from './apply-page';
import { readDrupalPage, requireDrupalAccount, uidUrl } from './drupal-reader';
import { sourceHttp } from './http';
import { scimContext } from './import-run';
import { SourceError, type RemoteUser } from './remote';
import { joomlaIdUrl, readJoomlaPage } from './joomla-reader';
import { readScimPage, scimListUrl } from './scim-reader';
import { recheckWordpressUser, requireWordpressAccount } from './wordpress-reader';
import { loadSourceSecret } from './sources';

export interface SingleImport {
  outcome: UserOutcome;
  runId: string;
}

export async function importOne(env: Env, sourceId: string, uid: string, fetcher?: typeof fetch): Promise<SingleImport | null> {
  const loaded = await loadSourceSecret(env, sourceId);
  if (!loaded) return null;
  const { source, credentials } = loaded;
  const http = sourceHttp(credentials, fetcher);
  const runId = crypto.randomUUID();
  const startedAt = new Date().toISOString();
  const record = async (counts: Record<string, number>, status: 'done' | 'failed', error: string | null) =>
    insertImportRun(env.DB, {
      id: runId,
      sourceId,
      kind: 'single',
      startedAt,
      finishedAt: new Date().toISOString(),
      counts: JSON.stringify({ ...counts, requests: http.meter.requests }),
      status,
      error,
    });

  let found: RemoteUser | undefined;
  try {
    if (source.kind === 'drupal-jsonapi') {
      found = (await readDrupalPage(http, source.baseUrl, uidUrl(source.baseUrl, uid))).users.find((u) => u.uid === uid);
      // Drupal answers a wrong password with an empty page, as for an unknown uid: ask who the
      // relay is before saying "not found" (../outbound/drupal-login.ts).
      if (!found) await requireDrupalAccount(http, source.baseUrl, credentials.type, source.watermark !== null);
    } else if (source.kind === 'wordpress-rest') {
      // WordPress serves a wrong Application Password as anonymous (401 on an edit view, so a
      // wrong password is never "not found"); ask first so the message names the credentials.
      await requireWordpressAccount(http, source.baseUrl);
      const found1 = /^\d+$/.test(uid) ? await recheckWordpressUser(http, source.baseUrl, uid) : 'gone';
      found = typeof found1 === 'object' ? found1.user : undefined;
    } else if (source.kind === 'joomla-webservices') {
      found = (await readJoomlaPage(http, source.baseUrl, joomlaIdUrl(source.baseUrl, uid))).users.find((u) => u.uid === uid);
    } else {
      const url = new URL(scimListUrl(source.baseUrl, 1, null));
      url.searchParams.set('filter', `id eq "${uid.replace(/["\\]/g, '')}"`);
      found = (await readScimPage(http, url.toString())).users.find((u) => u.uid === uid);
    }
  } catch (err) {
    if (err instanceof SourceError) {
      await record({ failedRequests: 1 }, 'failed', err.message);
      // the source's fatal policy, as in a run: paused with the reason, so the cron stops trying
      if (err.fatal)
        await updateSourceRow(env.DB, sourceId, { status: 'paused', pausedReason: err.message, lastError: err.message, updated: new Date().toISOString() });
    }
    throw err;
  }
  if (!found) {
    const detail = `The source did not return account ${uid} (deleted, or not visible to the relay's account); nothing changed. The next full reconciliation decides.`;
    await record({ read: 0, skipped: 1 }, 'done', null);
    return { runId, outcome: { remoteId: '', uid, userId: null, outcome: 'skipped', changed: [], detail } };
  }
  const [outcome] = await applyPage(
    { scim: scimContext(env), sourceId, settings: source.settings, seenAt: new Date().toISOString(), meter: { d1: 0 }, force: true },
    [found],
  );
  await record({ read: 1, [outcome!.outcome]: 1 }, 'done', null);
  return { runId, outcome: outcome! };
}
