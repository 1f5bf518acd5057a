/**
 * A deactivation the directory refuses leaves the link live, so the next reconciliation tries
 * again. The refusal is a real D1 constraint (a test-only unique index the write would break),
 * answered by the directory as a SCIM uniqueness error.
 */
import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { dirUser, drupalSource, newSite, runSource, uniq } from './support';

describe('sweep failures', () => {
  it('does not mark a link removed when its deactivation failed', async () => {
    const p = uniq('sweepfail');
    const site = await newSite({ adminUser: false, users: [0, 1, 2].map((i) => ({ uid: i + 2, name: `${p}-${i}` })) });
    const source = await drupalSource(site);
    await runSource(source.id, 'full');
    await site.updateUser(4, { status: false, changed: Math.floor(Date.now() / 1000) + 5 });
    await runSource(source.id, 'incremental');
    expect((await dirUser(`${p}-2`))!.active).toBe(false);

    const index = `sweep_fail_${p.replace(/\W/g, '_')}`;
    await env.DB.prepare(`CREATE UNIQUE INDEX ${index} ON users(active) WHERE user_name_lower IN ('${p}-0', '${p}-2')`).run();
    try {
      await site.deleteUser(2);
      const r = await runSource(source.id, 'full');
      expect(r).toMatchObject({ status: 'done', counts: { failed: 1 } });
      expect(r.counts.deactivated).toBeUndefined();
    } finally {
      await env.DB.prepare(`DROP INDEX ${index}`).run();
    }
    const uuid = (await env.DB.prepare('SELECT remote_id AS id, removed_at AS removedAt FROM source_links WHERE source_id = ? AND user_id = ?')
      .bind(source.id, (await dirUser(`${p}-0`))!.id)
      .first<{ id: string; removedAt: string | null }>())!;
    expect(uuid.removedAt).toBeNull();

    const again = await runSource(source.id, 'full');
    expect(again).toMatchObject({ status: 'done', counts: { deactivated: 1 } });
    expect((await dirUser(`${p}-0`))!.active).toBe(false);
  });
});
