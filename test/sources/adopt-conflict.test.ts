/**
 * An unlinked account adopts the directory user of its userName — unless another source has a
 * live link to that user: then it is a conflict, skipped and reported (two fake Drupal sites).
 */
import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { api } from '../helpers/api';
import { dirUser, drupalSource, newSite, runSource, uniq } from './support';

describe('adopting a directory user of the same userName', () => {
  it('does not take over a user another source manages; says so in the run', async () => {
    const p = uniq('adopt');
    const first = await newSite({ adminUser: false, users: [{ uid: 2, name: `${p}-ann`, mail: `${p}-ann@first.org` }] });
    const second = await newSite({
      adminUser: false,
      users: [
        { uid: 2, name: `${p}-ann`, mail: `${p}-ann@second.org`, status: false },
        { uid: 3, name: `${p}-bo` },
      ],
    });
    const a = await drupalSource(first);
    const b = await drupalSource(second);
    expect((await runSource(a.id, 'full')).counts.created).toBe(1);

    const run = await runSource(b.id, 'full');
    expect(run).toMatchObject({ status: 'done', counts: { conflict: 1, created: 1 } });
    expect(run.error).toContain('another source');
    expect(run.error).toContain(a.id);
    expect(await dirUser(`${p}-ann`)).toMatchObject({ active: true, emails: [`${p}-ann@first.org`] });
    const links = await env.DB.prepare('SELECT count(*) AS n FROM source_links WHERE source_id = ? AND user_id = ?')
      .bind(b.id, (await dirUser(`${p}-ann`))!.id)
      .first<{ n: number }>();
    expect(links!.n).toBe(0);

    const one = await api('POST', `/sources/${b.id}/users/2/import`);
    expect(one.status, one.text).toBe(200);
    expect(one.body).toMatchObject({ outcome: 'skipped', user: null });
    expect(one.body.detail).toContain('another source');

    // once the first source no longer manages the user, the second may adopt it
    expect((await api('DELETE', `/sources/${a.id}`)).status).toBe(204);
    expect((await runSource(b.id, 'full')).counts.conflict).toBeUndefined();
    expect(await dirUser(`${p}-ann`)).toMatchObject({ active: false, emails: [`${p}-ann@second.org`] });
  });
});
