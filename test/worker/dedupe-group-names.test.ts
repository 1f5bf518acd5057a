/**
 * Migrations 0007 (dedupe_group_names) and 0008 (unique_group_names) make group displayNames unique (case-insensitively) on a database
 * that already holds duplicates: the oldest group of a name keeps it, later ones get their id
 * appended, and each renamed group gets a new version and a change row for provisioning.
 * The migrations are re-run here on a directory put back into the state before them.
 */
import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';

const migration = (name: string) => env.TEST_MIGRATIONS.find((m) => m.name.includes(name))!;

async function run(prefix: string): Promise<void> {
  for (const sql of migration(prefix).queries) await env.DB.prepare(sql).run();
}

async function insertGroup(id: string, displayName: string): Promise<void> {
  await env.DB.prepare(
    "INSERT INTO groups (id, display_name, display_name_lower, created, last_modified, version, data) VALUES (?, ?, ?, '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z', 3, json_object('displayName', ?))",
  )
    .bind(id, displayName, displayName.toLowerCase(), displayName)
    .run();
}

describe('migrating to unique group displayNames', () => {
  it('renames every duplicate but the oldest, bumps its version and records a change', async () => {
    // The state before unique_group_names: the plain index instead of the unique one.
    await env.DB.prepare('DROP INDEX groups_display_name_lower_unique').run();
    await env.DB.prepare('CREATE INDEX groups_display_name_lower_idx ON groups (display_name_lower)').run();
    await insertGroup('g-1', 'Editors');
    await insertGroup('g-2', 'editors');
    await insertGroup('g-3', 'EDITORS');
    await insertGroup('g-4', 'Writers');

    await run('dedupe_group_names');
    await run('unique_group_names');

    const { results } = await env.DB.prepare(
      "SELECT id, display_name AS name, display_name_lower AS lower, version, json_extract(data, '$.displayName') AS body FROM groups WHERE id LIKE 'g-%' ORDER BY id",
    ).all<any>();
    expect(results).toEqual([
      { id: 'g-1', name: 'Editors', lower: 'editors', version: 3, body: 'Editors' },
      { id: 'g-2', name: 'editors (g-2)', lower: 'editors (g-2)', version: 4, body: 'editors (g-2)' },
      { id: 'g-3', name: 'EDITORS (g-3)', lower: 'editors (g-3)', version: 4, body: 'EDITORS (g-3)' },
      { id: 'g-4', name: 'Writers', lower: 'writers', version: 3, body: 'Writers' },
    ]);
    const changes = await env.DB.prepare("SELECT resource_id AS id, op, version FROM changes WHERE resource_id LIKE 'g-%' ORDER BY resource_id").all<any>();
    expect(changes.results).toEqual([
      { id: 'g-2', op: 'update', version: 4 },
      { id: 'g-3', op: 'update', version: 4 },
    ]);
    await expect(insertGroup('g-5', 'eDiToRs')).rejects.toThrow(/UNIQUE/);
  });
});
