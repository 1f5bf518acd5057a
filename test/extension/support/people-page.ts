/**
 * A People page of any length, made from the real Drupal 10.2 capture: its first row is the
 * template, repeated with each user's uid (in the bulk-form key and the links), name and row
 * index; the rest of the page is the capture as it is. Used by the benchmark and tests that need
 * 50 or 200 rows.
 */
import { fixture } from './fixture-site.ts';

export interface PageUserSpec {
  uid: string;
  name: string;
}

const TEMPLATE_UID = '9';
const TEMPLATE_NAME = 'heidi.wilson';

/**
 * The capture with `users` as its rows. `marker` adds an inline script right after the table
 * that records when the parser has built it (`window.__tableAt`, performance.now()).
 */
export function peoplePage(users: PageUserSpec[], marker = false): string {
  const html = fixture('drupal10-real-admin-people.html');
  const open = html.indexOf('<tbody>');
  const close = html.indexOf('</tbody>');
  const tbody = html.slice(open + '<tbody>'.length, close);
  const first = /<tr>[\s\S]*?<\/tr>/.exec(tbody)?.[0];
  if (open < 0 || close < 0 || !first) throw new Error('the People capture has no table rows');
  const rows = users.map(({ uid, name }, i) =>
    first
      .replaceAll('edit-user-bulk-form-0', `edit-user-bulk-form-${i}`)
      .replaceAll('user_bulk_form[0]', `user_bulk_form[${i}]`)
      .replace(/value="[A-Za-z0-9+/=]+"/, `value="${Buffer.from(JSON.stringify(['en', uid])).toString('base64')}"`)
      .replaceAll(`/user/${TEMPLATE_UID}`, `/user/${uid}`)
      .replaceAll(TEMPLATE_NAME, name),
  );
  const page = `${html.slice(0, open)}<tbody>\n${rows.join('\n')}\n${html.slice(close)}`;
  return marker ? page.replace('</table>', '</table><script>window.__tableAt = performance.now();</script>') : page;
}

/** `count` users named `bench.user.0001`… with uids from 1001. */
export function benchUsers(count: number): PageUserSpec[] {
  return Array.from({ length: count }, (_, i) => ({ uid: String(1001 + i), name: `bench.user.${String(i + 1).padStart(4, '0')}` }));
}
