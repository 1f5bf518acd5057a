/**
 * One source's reader, whatever its kind: where a run's listing starts, how a page is read, how
 * one account is re-read by id before a reconciliation removes it, and who the site takes the
 * relay for. The importer and the single import ask this instead of switching on the kind.
 */
import type { Source, SourceCredentials } from '../../../shared/src/sources';
import { importPageSize } from '../limits/cpu';
import { DRUPAL_PAGE_SIZE, fullUrl, incrementalUrl, readDrupalPage, recheckDrupalUser, requireDrupalAccount, type Recheck } from './drupal-reader';
import type { SourceHttp } from './http';
import { JOOMLA_PAGE_SIZE, joomlaListUrl, readJoomlaPage, recheckJoomlaUser } from './joomla-reader';
import type { RemotePage } from './remote';
import { readScimPage, recheckScimUser, SCIM_PAGE_SIZE, scimListUrl } from './scim-reader';
import { readWordpressPage, recheckWordpressUser, requireWordpressAccount, WP_PAGE_SIZE, wpListUrl } from './wordpress-reader';

/**
 * Kinds whose accounts carry no change stamp (WordPress, Joomla): every run reads everyone. An
 * "incremental" run is then a full read that removes nobody; the watermark is the time of the
 * last complete read, so the schedule (incremental every N minutes, full every N hours) holds.
 */
export const readsInFull = (kind: Source['kind']) => kind === 'wordpress-rest' || kind === 'joomla-webservices';

/** The largest page each kind's API serves. */
const MAX_PAGE: Record<Source['kind'], number> = {
  'drupal-jsonapi': DRUPAL_PAGE_SIZE,
  scim: SCIM_PAGE_SIZE,
  'wordpress-rest': WP_PAGE_SIZE,
  'joomla-webservices': JOOMLA_PAGE_SIZE,
};

/** The page size a run of this source reads at under `cpuMs` of CPU per invocation (limits/cpu.ts). */
export const sourcePageSize = (kind: Source['kind'], cpuMs: number) => importPageSize(cpuMs, MAX_PAGE[kind]);

/**
 * The first page of a run: everyone for a full run (and for kinds that cannot filter), changes
 * since the watermark otherwise, in pages that fit the profile's CPU (`cpuMs` per invocation).
 * The next pages follow the URL read, so a run keeps its page size.
 */
export function firstPageUrl(source: Source, kind: 'incremental' | 'full', watermark: string | null, cpuMs: number): string {
  const size = sourcePageSize(source.kind, cpuMs);
  switch (source.kind) {
    case 'drupal-jsonapi':
      return kind === 'full' || !watermark ? fullUrl(source.baseUrl, size) : incrementalUrl(source.baseUrl, watermark, size);
    case 'scim':
      return scimListUrl(source.baseUrl, 1, kind === 'full' ? null : watermark, size);
    case 'wordpress-rest':
      return wpListUrl(source.baseUrl, 1, size);
    case 'joomla-webservices':
      return joomlaListUrl(source.baseUrl, 0, size);
  }
}

export function readSourcePage(source: Source, http: SourceHttp, url: string): Promise<RemotePage> {
  switch (source.kind) {
    case 'drupal-jsonapi':
      return readDrupalPage(http, source.baseUrl, url);
    case 'scim':
      return readScimPage(http, url);
    case 'wordpress-rest':
      return readWordpressPage(http, url);
    case 'joomla-webservices':
      return readJoomlaPage(http, source.baseUrl, url);
  }
}

export function recheckSourceUser(source: Source, http: SourceHttp, remoteId: string): Promise<Recheck> {
  switch (source.kind) {
    case 'drupal-jsonapi':
      return recheckDrupalUser(http, source.baseUrl, remoteId);
    case 'scim':
      return recheckScimUser(http, source.baseUrl, remoteId);
    case 'wordpress-rest':
      return recheckWordpressUser(http, source.baseUrl, remoteId);
    case 'joomla-webservices':
      return recheckJoomlaUser(http, source.baseUrl, remoteId);
  }
}

/**
 * Sites that serve wrong credentials as an anonymous visit (Drupal, WordPress) are asked who the
 * relay is before a run reads anything: otherwise a run would read nothing, or public authors
 * only, and report done. Joomla and SCIM servers refuse wrong credentials with a 401: no question.
 * Returns the account id, or undefined when the kind needs no question.
 */
export async function requireSourceAccount(source: Source, http: SourceHttp, auth: SourceCredentials['type']): Promise<string | undefined> {
  if (source.kind === 'drupal-jsonapi') return requireDrupalAccount(http, source.baseUrl, auth, source.watermark !== null);
  if (source.kind === 'wordpress-rest') return requireWordpressAccount(http, source.baseUrl);
  return undefined;
}

/** Drupal shows its anonymous user (uid 0) to everyone as a label only: one hidden resource is expected there. */
export const expectedHidden = (kind: Source['kind']) => (kind === 'drupal-jsonapi' ? 1 : 0);
