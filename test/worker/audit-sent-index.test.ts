/**
 * A target's sync status and both thresholds count the writes sent in their window (db/hold.ts
 * sentSince); at 50,000 creations that count visited every event's row (bench:limits, issue #11).
 * The partial index `audit_sent_idx` holds only those writes: the count must keep reading it.
 */
import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { sentSince } from '../../worker/src/db/hold';

describe('the writes sent in a threshold window', () => {
  it.each([
    ['creations', "'create'"],
    ['deactivations and deletions', "'deactivate', 'delete'"],
  ])('are counted from audit_sent_idx: %s', async (_, operations) => {
    const { results } = await env.DB.prepare(`EXPLAIN QUERY PLAN ${sentSince(operations)}`)
      .bind('a-target', '2026-01-01T00:00:00.000Z')
      .all<{ detail: string }>();
    expect(results.map((r) => r.detail)).toEqual([
      expect.stringMatching(/^SEARCH audit_events USING (COVERING )?INDEX audit_sent_idx \(target_id=\? AND operation=\? AND at>\?\)$/),
    ]);
  });
});
