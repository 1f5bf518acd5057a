/** What a target's ServiceProviderConfig (RFC 7643 §5) says it supports, as the engine caches it. */
import type { Capabilities } from '../../../../shared/src/targets';
import type { ServiceProviderConfig } from './schemas';

export function capabilitiesFrom(spc: ServiceProviderConfig, checkedAt: Date): Capabilities {
  const bulk = spc.bulk?.supported === true;
  return {
    patch: spc.patch?.supported === true,
    bulk,
    // RFC 7643 §5: maxOperations is required when bulk is supported; 0 or absent means "no usable bulk".
    bulkMaxOperations: bulk && spc.bulk?.maxOperations ? spc.bulk.maxOperations : null,
    filter: spc.filter?.supported === true,
    etag: spc.etag?.supported === true,
    checkedAt: checkedAt.toISOString(),
  };
}

/** One line an admin reads: what the engine will use and what it will do instead. */
export function describeCapabilities(c: Capabilities): string {
  return [
    c.patch ? 'PATCH supported: updates send only the changed attributes' : 'PATCH not supported: updates replace the whole user (PUT)',
    c.bulk
      ? `Bulk supported${c.bulkMaxOperations ? ` (up to ${c.bulkMaxOperations} operations per request)` : ''}`
      : 'Bulk not supported: one request per change',
    c.filter ? 'filtering supported' : 'filtering not advertised',
    c.etag ? 'ETags supported' : 'ETags not supported',
  ].join('; ');
}
