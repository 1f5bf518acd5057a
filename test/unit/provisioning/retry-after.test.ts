/**
 * Retry-After is the target's word, not a command (issue #9): a wait is capped at 24 h and a
 * value nobody can mean (`99999999999999999`, which made an Invalid Date and stopped the
 * dispatcher) is treated as absent, so the backoff applies.
 */
import { describe, expect, it } from 'vitest';
import { parseRetryAfter } from '../../../worker/src/provisioning/scim-client/classify';
import { failureFate } from '../../../worker/src/provisioning/row-fate';
import type { OutboxRow } from '../../../worker/src/db/outbox';

const now = () => Date.parse('2026-01-01T00:00:00Z');
const DAY = 24 * 60 * 60;

describe('parseRetryAfter caps and ignores', () => {
  it('caps a long delay at 24 hours', () => {
    expect(parseRetryAfter('200000', now)).toBe(DAY);
    expect(parseRetryAfter('Sat, 10 Jan 2026 00:00:00 GMT', now)).toBe(DAY);
  });

  it('treats absurd or unparseable values as absent', () => {
    expect(parseRetryAfter('99999999999999999', now)).toBeUndefined();
    expect(parseRetryAfter('Fri, 01 Jan 9999 00:00:00 GMT', now)).toBeUndefined();
    expect(parseRetryAfter('-5', now)).toBeUndefined();
    expect(parseRetryAfter('1e9', now)).toBeUndefined();
  });

  it('keeps an ordinary delay as it is', () => {
    expect(parseRetryAfter('120', now)).toBe(120);
  });
});

describe('failureFate never makes an invalid retry time', () => {
  it('a transient failure carrying an absurd wait is retried within a day', () => {
    const statements: { sql: string; args: unknown[] }[] = [];
    const db = { prepare: (sql: string) => ({ bind: (...args: unknown[]) => (statements.push({ sql, args }), {}) }) } as unknown as D1Database;
    const row: OutboxRow = { id: 1, targetId: 't', resourceType: 'User', resourceId: 'u', changeSeq: 1, attempts: 0, approved: 0, leaseId: 'l' };
    const at = new Date(now());
    const fate = failureFate(db, row, { kind: 'transient', message: 'slow down', retryAfterSeconds: 1e17 }, at);
    const retryAt = Date.parse(String(fate.link.nextAttemptAt));
    expect(retryAt - at.getTime()).toBeLessThanOrEqual(DAY * 1000);
    expect(statements[0]!.sql).toContain("state = 'pending'");
  });
});
