/**
 * Without Queues the cron is the only driver, so one tick shares its CPU among every due target
 * of both modes (issue #11): a scheduled target's long sync no longer holds the automatic
 * targets back until it drains. On Free the first gets 10 of the tick's 20 rows and the second
 * the rest; on Paid each sends all it has.
 */
import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { rowsEachOf, runsPerInvocation } from '../helpers/invocations';
import { ops } from '../helpers/operations';
import { createUser } from '../helpers/scim';
import { runCron } from '../support/e2e';
import { targetToB } from '../support/on-relay-b';

const BACKLOG = 25;

const claimed = async (targetId: string) =>
  (await env.DB.prepare("SELECT coalesce(sum(json_extract(counts, '$.claimed')), 0) AS n FROM runs WHERE target_id = ?").bind(targetId).first<{ n: number }>())!
    .n;

describe('a cron tick without Queues', () => {
  it('moves a scheduled and an automatic target with backlogs in the same tick', async () => {
    const running = Math.min(2, runsPerInvocation('cron'));
    const each = Math.min(BACKLOG, rowsEachOf(2, 'cron'));
    const scheduled = await targetToB('B tick scheduled', { scheduled: { enabled: true, intervalMinutes: 1, operations: ops() } }, { initialSync: false });
    // Paused while the users are made, so no write's waitUntil sends them: the tick has both backlogs.
    const automatic = await targetToB('B tick automatic', { automatic: { enabled: true, operations: ops() } }, { initialSync: false, status: 'paused' });
    for (let i = 0; i < BACKLOG; i++) await createUser(`tick-${i}-${crypto.randomUUID().slice(0, 8)}@tick.test`);
    await env.DB.prepare("UPDATE targets SET status = 'active' WHERE id = ?").bind(automatic.id).run();

    await runCron();
    const [s, a] = [await claimed(scheduled.id), await claimed(automatic.id)];
    if (running === 2) {
      // Paid: the first sends all it has, and the second runs too.
      expect(s).toBe(each);
      expect(a).toBeGreaterThan(0);
    } else {
      // Free: the tick holds one run; whichever is first in this minute's turn sends its rows.
      expect(Math.max(s, a)).toBe(each);
      expect(Math.min(s, a)).toBe(0);
    }
  });
});
