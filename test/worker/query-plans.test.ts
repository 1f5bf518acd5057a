/**
 * Issue #11 item 2: the per-user reads of the People page, the search box and the popup seek
 * through indexes whatever the directory's size. bench:limits at 100,000 users found two that
 * grew with it: a nested group scope's probe built an automatic index over all of group_members
 * per statement, and a link's "pending" check walked every queued row of the target per user.
 * SQLite without ANALYZE plans by rules, so the plan of an empty database is the plan at 100,000.
 */
import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { lookupUsers } from '../../worker/src/db/directory-views';
import { listResources } from '../../worker/src/directory/reads';
import { scopeCondition } from '../../worker/src/provisioning/scope';

/** `EXPLAIN QUERY PLAN` of a statement (its placeholders filled in: the plan does not depend on the values). */
async function planOf(sql: string): Promise<string[]> {
  const { results } = await env.DB.prepare(`EXPLAIN QUERY PLAN ${sql}`).all<{ detail: string }>();
  return results.map((r) => r.detail);
}

/** The SQL of the statements `read` prepares on the database. */
async function statementsOf(read: (db: D1Database) => Promise<unknown>): Promise<string[]> {
  const seen: string[] = [];
  const db = new Proxy(env.DB, {
    get: (target, key) =>
      key === 'prepare'
        ? (sql: string) => {
            seen.push(sql);
            return target.prepare(sql);
          }
        : Reflect.get(target, key).bind(target),
  });
  await read(db);
  return seen;
}

describe('per-user reads and deep pages seek at any directory size', () => {
  it("a nested group scope's probe steps to member groups through group_members_nested_idx, never an automatic index", async () => {
    const cond = scopeCondition({ kind: 'groups', groupIds: ['g'], nested: true }, 't', 'users.id', 'probe');
    const plan = await planOf(`SELECT id FROM users WHERE id IN (SELECT value FROM json_each('["u"]')) AND ${cond.sql.replace(/\?/g, "'x'")}`);
    expect(plan.join('\n')).toContain('group_members_nested_idx');
    expect(plan.filter((l) => l.includes('AUTOMATIC'))).toEqual([]);
  });

  it("a user's link state finds its groups' queued pushes by the outbox's resource key, not by walking the target's queue", async () => {
    const statements = await statementsOf((db) => lookupUsers(db, { userNames: ['someone@plans.test'] }));
    const users = statements.find((sql) => sql.includes('FROM links l'))!;
    const plan = await planOf(users.replace(/\?/g, "'x'"));
    expect(plan.join('\n')).toContain('SEARCH o USING INDEX outbox_target_resource_unique');
    expect(plan.filter((l) => l.includes('outbox_claim_idx'))).toEqual([]);
  });

  it('a page deep in the directory by startIndex steps over pks in users_pk_idx, never over the rows themselves', async () => {
    const statements = await statementsOf((db) =>
      listResources(db, 'User', { where: { sql: '1', params: [] }, orderBy: { sql: 'users.pk ASC', params: [] }, limit: 100, offset: 99_900, withTotal: true }),
    );
    const plan = (await planOf(statements[0]!.replace(/\?/g, '1'))).join('\n');
    expect(plan).toContain('SCAN users USING COVERING INDEX users_pk_idx');
    expect(plan).not.toMatch(/SCAN users(\n|$)/);
  });
});
