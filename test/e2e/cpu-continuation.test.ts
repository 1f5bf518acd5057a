/**
 * A run holds to the CPU its invocation may still spend by the cost model (worker/src/limits/cpu.ts:
 * 20 rows on Free) and the next invocation goes on from where it stopped (issue #11). Here the
 * budget has room for 3 rows, so 7 users take three runs on either plan, one claim's worth each,
 * through both paths of a run: the lanes (a target without Bulk) and SCIM Bulk.
 */
import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { createBudget } from '../../worker/src/limits/budget';
import { CPU_MS } from '../../worker/src/limits/cpu';
import { dispatch } from '../../worker/src/provisioning/dispatcher';
import { api } from '../helpers/api';
import { ops } from '../helpers/operations';
import { createUser } from '../helpers/scim';
import { onB, targetToB } from '../support/on-relay-b';

const ROWS_OF_CPU = 3;
const USERS = 7;

/** A cron invocation's budget with CPU left for `rows` rows. */
const withCpuFor = (rows: number) => ({ ...createBudget(env, 'cron'), cpuMs: rows * CPU_MS.outboundRow });

const count = async (sql: string, targetId: string) => (await env.DB.prepare(sql).bind(targetId).first<{ n: number }>())!.n;

describe('a run out of CPU', () => {
  it.each([
    ['the lanes', false],
    ['SCIM Bulk', true],
  ])(
    'through %s: stops after the rows its CPU provisions, not drained and without an empty second run; the next runs finish, each user sent once',
    async (_, bulk) => {
      const target = await targetToB(
        `B cpu ${bulk ? 'bulk' : 'lanes'}`,
        { scheduled: { enabled: true, intervalMinutes: 1, operations: ops() } },
        { initialSync: false },
      );
      if (bulk) expect((await api('POST', `/targets/${target.id}/test`, {})).body.capabilities).toMatchObject({ bulk: true });
      const users = [];
      for (let i = 0; i < USERS; i++) users.push(await createUser(`cpu-${crypto.randomUUID().slice(0, 8)}@cpu.test`));
      const run = () => dispatch(env, { mode: 'scheduled', force: true, targetIds: [target.id], budget: withCpuFor(ROWS_OF_CPU) });

      const first = await run();
      expect(first).toHaveLength(1);
      expect(first[0]).toMatchObject({ drained: false, counts: { claimed: ROWS_OF_CPU, create: ROWS_OF_CPU } });
      let runs = 1;
      for (let last = first[0]!; !last.drained && runs < USERS; runs++) last = (await run())[0]!;
      expect(runs).toBe(Math.ceil(USERS / ROWS_OF_CPU));

      for (const u of users) expect(await onB(u.userName), u.userName).toMatchObject({ userName: u.userName, active: true });
      expect(await count("SELECT count(*) AS n FROM links WHERE target_id = ? AND state = 'in_sync'", target.id)).toBe(USERS);
      expect(await count("SELECT count(*) AS n FROM audit_events WHERE target_id = ? AND operation = 'create'", target.id)).toBe(USERS);
      expect(await count('SELECT count(*) AS n FROM outbox WHERE target_id = ?', target.id)).toBe(0);
      // One run per invocation: none started once the CPU was spent.
      expect(await count('SELECT count(*) AS n FROM runs WHERE target_id = ?', target.id)).toBe(runs);
    },
  );
});
