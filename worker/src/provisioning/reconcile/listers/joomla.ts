/**
 * Reconcile's reader for a Joomla site: every account paged by offset in Joomla's fixed order by
 * name (../../joomla-client/list.ts; a page boundary is no evidence, so whoever the pass missed
 * is re-read by id in the verify phase, and an account listed twice is compared once). `block`
 * is the disabled flag. A list row names its groups by title (`group_names`); they are turned
 * into group ids with the site's group list (read once per invocation), and an account holding
 * a title two groups share is read by id, whose `groups` carries the ids themselves.
 */
import { joomlaTargetOptionsSchema } from '../../../../../shared/src/joomla-target';
import type { Result } from '../../scim-client/types';
import { createJoomlaClient } from '../../joomla-client';
import { JOOMLA_LIST_PAGE, listJoomlaUsers, readJoomlaRow } from '../../joomla-client/list';
import { groupIds, joomlaUserDocumentSchema, type JoomlaUser } from '../../joomla-client/schemas';
import { toScimUser } from '../../joomla-client/translate';
import { createJoomlaTransport } from '../../joomla-client/transport';
import { readAs } from '../../scim-client/readers';
import type { ListerInput, ObservedUser, TargetLister } from '../target-lister';

export function createJoomlaTargetLister({ target, connection, hooks }: ListerInput): TargetLister {
  const conn = { ...connection, options: joomlaTargetOptionsSchema.parse(target.options ?? {}) };
  const send = createJoomlaTransport(conn, hooks);
  const client = createJoomlaClient(conn, hooks);

  /** group title → the ids of the groups with that title */
  let titles: Promise<Result<Map<string, string[]>>> | undefined;
  const groupTitles = () => {
    titles ??= client.listGroups().then((r) => {
      if (!r.ok) return r;
      const byTitle = new Map<string, string[]>();
      for (const g of r.value) byTitle.set(g.name, [...(byTitle.get(g.name) ?? []), g.id]);
      return { ...r, value: byTitle };
    });
    return titles;
  };

  async function observe(u: JoomlaUser): Promise<Result<ObservedUser>> {
    const ok = (roles: string[]): Result<ObservedUser> => ({ ok: true, status: 200, value: { remoteId: u.id, resource: toScimUser(u), roles } });
    if (u.attributes.groups !== undefined) return ok(groupIds(u).map(String));
    const names = (u.attributes.group_names ?? '')
      .split('\n')
      .map((s) => s.trim())
      .filter((s) => s !== '');
    if (names.length === 0) return ok([]);
    const byTitle = await groupTitles();
    if (!byTitle.ok) return byTitle;
    if (names.some((n) => (byTitle.value.get(n)?.length ?? 0) > 1)) {
      const item = await send('GET', `/v1/users/${encodeURIComponent(u.id)}`, readAs(joomlaUserDocumentSchema, 'Joomla user document'));
      return item.ok ? ok(groupIds(item.value.data).map(String)) : item;
    }
    return ok(names.flatMap((n) => byTitle.value.get(n) ?? []));
  }

  return {
    pageSize: async () => ({ ok: true, value: JOOMLA_LIST_PAGE, status: 200 }),
    async users(cursor, pageSize) {
      const res = await listJoomlaUsers(send, cursor ? Number(cursor) : 0, pageSize);
      if (!res.ok) return res;
      const items: ObservedUser[] = [];
      for (const u of res.value.users) {
        const o = await observe(u);
        if (!o.ok) return o;
        items.push(o.value);
      }
      return { ...res, value: { items, next: res.value.next === null ? null : String(res.value.next) } };
    },
    async getUser(id) {
      const res = await readJoomlaRow(send, id);
      return res.ok ? observe(res.value) : res;
    },
  };
}
