/** JSON:API answers for the connector's unit tests (shapes from test/fixtures, Drupal 10). */
import realUsers from '../../fixtures/drupal10-real-jsonapi-users.json';

export const jsonapi = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(body === undefined ? null : JSON.stringify(body), { status, headers: { 'content-type': 'application/vnd.api+json', ...headers } });

export const jsonapiError = (status: number, ...details: string[]) =>
  jsonapi(status, { jsonapi: { version: '1.0' }, errors: details.map((detail) => ({ title: 'Error', status: String(status), detail })) });

export interface UserSeed {
  uuid: string;
  uid: number;
  name: string;
  mail?: string | null;
  status?: boolean;
  roles?: { uuid: string; id: string }[];
}

export const user = (u: UserSeed) => ({
  type: 'user--user',
  id: u.uuid,
  attributes: {
    display_name: u.name,
    drupal_internal__uid: u.uid,
    name: u.name,
    mail: u.mail === undefined ? `${u.name}@example.com` : u.mail,
    status: u.status ?? true,
  },
  relationships: { roles: { data: (u.roles ?? []).map((r) => ({ type: 'user_role--user_role', id: r.uuid, meta: { drupal_internal__target_id: r.id } })) } },
});

export const one = (u: UserSeed, status = 200) => jsonapi(status, { jsonapi: { version: '1.0' }, data: user(u) });
export const many = (...us: UserSeed[]) => jsonapi(200, { jsonapi: { version: '1.0' }, data: us.map(user), links: {} });

export const ENTRY_POINT = {
  jsonapi: { version: '1.0' },
  data: [],
  links: {
    self: { href: 'https://site.example/jsonapi' },
    'user--user': { href: 'https://site.example/jsonapi/user/user' },
    'user_role--user_role': { href: 'https://site.example/jsonapi/user_role/user_role' },
  },
  meta: {
    links: {
      me: { meta: { id: 'ab4c8bad-aa6f-4043-a2a3-f7c02028edd1' }, href: 'https://site.example/jsonapi/user/user/ab4c8bad-aa6f-4043-a2a3-f7c02028edd1' },
    },
  },
};

export const roles = (...rs: { uuid: string; id: string }[]) =>
  jsonapi(200, {
    jsonapi: { version: '1.0' },
    data: rs.map((r) => ({ type: 'user_role--user_role', id: r.uuid, attributes: { drupal_internal__id: r.id, label: r.id } })),
  });

/** The real Drupal 10.2 capture of GET /jsonapi/user/user (Basic auth as admin). */
export const realCollection = (): unknown => structuredClone(realUsers);
