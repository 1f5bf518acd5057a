/**
 * A target as GET /targets answers it, parsed with the shared schema, for the console's unit tests:
 * the API's defaults for everything the test does not name.
 */
import { targetSchema, type Target } from '../../../shared/src/targets.ts';

export function savedTarget(fields: Record<string, unknown>): Target {
  return targetSchema.parse({
    id: 't1',
    hasToken: true,
    matching: ['userName'],
    modes: {},
    mapping: [],
    rateLimitPerSecond: 10,
    concurrency: 4,
    deletionThreshold: 10,
    dryRun: false,
    pushGroups: false,
    status: 'active',
    pausedReason: null,
    capabilities: null,
    created: '2026-01-01T00:00:00.000Z',
    updated: '2026-01-01T00:00:00.000Z',
    ...fields,
  });
}
