/**
 * What the background does for the page overlay, over the relay's admin API. Pure of browser
 * APIs (the client and the trace store are injected), so it runs the same in the extension and
 * against a real relay in Node.
 *
 * A page row is a CMS uid. The relay resolves uids per site (`site` + `uids` in the lookup):
 * through the source links when the site is a configured source, through target links
 * (remote key) when it is a target. When the site is not a source, the page's own name or email
 * may stand in (`matchedBy` says so) — for a source site a missing uid means "not imported". The
 * content script sends names and emails only for an admin's action (Match by name/email,
 * Provision), never on page load: see lib/page-messages.ts.
 */
import type { LookupHit } from '../../../shared/src/api';
import type { Override } from '../../../shared/src/scope';
import type { LookupView, PageError, ProvisionView, RowStatus, SavedView, SiteRole, Trace, UserHint, UserOutcome, UserStatusView } from '../lib/page-messages';
import { RelayError, type RelayClient, type SiteLookupResponse } from '../lib/relay-client';

export interface TraceStore {
  get(userId: string): Promise<Trace | null>;
  put(userId: string, trace: Trace): Promise<void>;
}

export interface PageServiceDeps {
  client: RelayClient;
  traces: TraceStore;
  now?: () => Date;
  /** Provisioning calls in flight at once for a bulk action (each already fans out per target on the relay). */
  concurrency?: number;
}

interface Resolved {
  targets: LookupView['targets'];
  site: SiteRole | null;
  users: Map<string, RowStatus | null>;
}

const isSource = (site: SiteRole | null) => (site?.sources.length ?? 0) > 0;

function toRow(hit: LookupHit, matchedBy: RowStatus['matchedBy']): RowStatus {
  return { userId: hit.user.id, userName: hit.user.userName, matchedBy, links: hit.links };
}

function resolve(response: SiteLookupResponse, uids: string[], hints: Record<string, UserHint>): Resolved {
  const site = response.site ?? null;
  const guessAllowed = !isSource(site);
  const users = new Map<string, RowStatus | null>();
  for (const uid of uids) {
    const byUid = response.uids?.[uid];
    const hint = hints[uid] ?? {};
    const byName = guessAllowed && hint.userName ? response.userNames[hint.userName] : null;
    const byEmail = guessAllowed && hint.email ? response.emails[hint.email] : null;
    users.set(uid, byUid ? toRow(byUid, 'uid') : byName ? toRow(byName, 'userName') : byEmail ? toRow(byEmail, 'email') : null);
  }
  return { targets: response.targets, site, users };
}

/** A relay refusal about this one user; an unreachable relay or a bad token stops the whole action instead. */
function isPerUserFailure(err: unknown): err is RelayError {
  return err instanceof RelayError && err.code !== 'unauthorized' && err.code !== 'unreachable';
}

async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  return out;
}

export function createPageService({ client, traces, now = () => new Date(), concurrency = 3 }: PageServiceDeps) {
  async function lookup(site: string, uids: string[], hints: Record<string, UserHint>): Promise<Resolved> {
    const userNames = [...new Set(Object.values(hints).flatMap((h) => (h.userName ? [h.userName] : [])))];
    const emails = [...new Set(Object.values(hints).flatMap((h) => (h.email ? [h.email] : [])))];
    const response = await client.lookup({ site, uids, ...(userNames.length ? { userNames } : {}), ...(emails.length ? { emails } : {}) });
    return resolve(response, uids, hints);
  }

  async function provisionOne(uid: string, userId: string | null, imported: boolean, targetIds?: string[]): Promise<UserOutcome> {
    if (userId === null) return { uid, ok: false, userId: null, error: 'The relay has no user for this account.', imported, results: [] };
    try {
      const { results } = await client.provision(userId, targetIds);
      await traces.put(userId, { at: now().toISOString(), results });
      return { uid, ok: results.every((r) => r.ok), userId, error: results.length === 0 ? 'No target has manual provisioning on.' : null, imported, results };
    } catch (err) {
      if (!isPerUserFailure(err)) throw err;
      return { uid, ok: false, userId, error: err.message, imported, results: [] };
    }
  }

  /** Re-imports these uids from the site's source (the first one the relay lists for it); returns the uids imported. */
  async function reimport(resolved: Resolved, uids: string[]): Promise<{ imported: Set<string>; errors: Map<string, string> }> {
    const source = resolved.site?.sources[0];
    const imported = new Set<string>();
    const errors = new Map<string, string>();
    if (!source) return { imported, errors };
    await mapLimit(uids, concurrency, async (uid) => {
      try {
        await client.importUid(source.id, uid);
        imported.add(uid);
      } catch (err) {
        if (!isPerUserFailure(err)) throw err;
        errors.set(uid, `Re-import from ${source.name} failed: ${err.message}`);
      }
    });
    return { imported, errors };
  }

  return {
    async lookupPage(site: string, uids: string[], hints: Record<string, UserHint>): Promise<LookupView> {
      const resolved = await lookup(site, uids, hints);
      return { ok: true, targets: resolved.targets, site: resolved.site, users: Object.fromEntries(resolved.users) };
    },

    async provision(site: string, uids: string[], hints: Record<string, UserHint>, targetIds?: string[]): Promise<ProvisionView> {
      let resolved = await lookup(site, uids, hints);
      const missing = uids.filter((u) => resolved.users.get(u) === null);
      const { imported, errors } = await reimport(resolved, missing);
      if (imported.size > 0) resolved = await lookup(site, uids, hints);
      const outcomes = await mapLimit(uids, concurrency, async (uid) => {
        const importError = errors.get(uid);
        if (importError) return { uid, ok: false, userId: null, error: importError, imported: false, results: [] };
        const row = resolved.users.get(uid) ?? null;
        if (row === null && !isSource(resolved.site)) {
          return {
            uid,
            ok: false,
            userId: null,
            error: 'The relay has no user for this account, and this site is not one of its sources (use the popup to send it from what the page shows).',
            imported: false,
            results: [],
          };
        }
        return provisionOne(uid, row?.userId ?? null, imported.has(uid), targetIds);
      });
      return { ok: true, outcomes };
    },

    async userStatus(site: string, uid: string, hint: UserHint): Promise<UserStatusView> {
      const resolved = await lookup(site, [uid], { [uid]: hint });
      const row = resolved.users.get(uid) ?? null;
      if (!row) return { ok: true, site: resolved.site, user: null, matchedBy: null, links: [], events: [], lastTrace: null };
      const [status, lastTrace] = await Promise.all([client.status(row.userId), traces.get(row.userId)]);
      return { ok: true, site: resolved.site, user: status.user, matchedBy: row.matchedBy, links: status.links, events: status.events, lastTrace };
    },

    async userSaved(site: string, uid: string): Promise<SavedView> {
      const before = await lookup(site, [uid], {});
      if (!isSource(before.site)) return { ok: true, outcome: 'not_source', result: null };
      const { imported, errors } = await reimport(before, [uid]);
      const importError = errors.get(uid);
      if (importError) return { ok: true, outcome: 'provisioned', result: { uid, ok: false, userId: null, error: importError, imported: false, results: [] } };
      const after = await lookup(site, [uid], {});
      const result = await provisionOne(uid, after.users.get(uid)?.userId ?? null, imported.has(uid));
      return { ok: true, outcome: 'provisioned', result };
    },

    /** The user panel's override of a target's scope for this page's user (issue #13). */
    async setOverride(site: string, uid: string, hint: UserHint, targetId: string, override: Override | null): Promise<{ ok: true } | PageError> {
      const row = (await lookup(site, [uid], { [uid]: hint })).users.get(uid) ?? null;
      if (!row) return { ok: false, code: 'not_found', error: 'The relay has no user for this account.' };
      await client.setOverride(targetId, row.userId, override);
      return { ok: true };
    },

    /** The People page banner's Resume: the target then catches up from its watermark (nothing changed meanwhile is lost). */
    async resumeTarget(targetId: string): Promise<void> {
      await client.resumeTarget(targetId);
    },
  };
}
