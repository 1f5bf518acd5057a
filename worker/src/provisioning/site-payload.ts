/**
 * What a CMS target's site actually receives for a mapped payload, for the console's preview:
 * each connector's own translation (the translate.ts of its client folder) applied to the SCIM
 * payload the mapping built, in the request the connector sends. Values only known when sending
 * (a random password, the account's current groups) are named in words, never invented.
 * A SCIM target receives the mapped payload itself, so it has no site payload.
 */
import type { DrupalTargetOptions } from '../../../shared/src/drupal-target';
import type { JoomlaTargetOptions } from '../../../shared/src/joomla-target';
import type { Target } from '../../../shared/src/targets';
import type { WordpressTargetOptions } from '../../../shared/src/wordpress-target';
import type { JsonObject } from '../scim/schema/normalize';
import { toDrupalAttributes } from './drupal-client/translate';
import { USER_TYPE } from './drupal-client/schemas';
import { toJoomlaFields } from './joomla-client/translate';
import type { MappingPhase } from './mapping';
import { toWpFields } from './wordpress-client/translate';

export interface SitePayload {
  method: 'POST' | 'PATCH';
  /** the API route under the site's API path, `{id}` standing for the linked account */
  path: string;
  body: Record<string, unknown>;
}

/** null for a SCIM target (it gets `payload` as it is). */
export function sitePayload(target: Target, payload: JsonObject, phase: MappingPhase): SitePayload | null {
  const create = phase === 'create';
  switch (target.kind) {
    case 'drupal-jsonapi': {
      const attributes = toDrupalAttributes(payload, (target.options as DrupalTargetOptions).fields);
      return {
        method: create ? 'POST' : 'PATCH',
        path: create ? '/user/user' : '/user/user/{id}',
        body: { data: { type: USER_TYPE, ...(create ? {} : { id: '{id}' }), attributes } },
      };
    }
    case 'wordpress-rest': {
      const { active, ...fields } = toWpFields(payload);
      const options = target.options as WordpressTargetOptions;
      // As wordpress-client/client.ts createUser: a password nobody learns, the default role unless created inactive.
      if (create)
        return {
          method: 'POST',
          path: '/wp/v2/users',
          body: { ...fields, password: '(random, never stored)', roles: active === false ? [] : [options.defaultRole] },
        };
      // WordPress cannot change a username (it is compared, not sent); active becomes roles removed or restored.
      const { username: _unchanged, ...rest } = fields;
      return { method: 'POST', path: '/wp/v2/users/{id}', body: active === false ? { ...rest, roles: [], password: '(random, never stored)' } : rest };
    }
    case 'joomla-webservices': {
      const fields = toJoomlaFields(payload);
      const options = target.options as JoomlaTargetOptions;
      // As joomla-client/client.ts createUser: a name is required (the username stands in), block 0 unless inactive.
      if (create)
        return {
          method: 'POST',
          path: '/v1/users',
          body: {
            name: fields.name ?? fields.username,
            username: fields.username,
            email: fields.email,
            block: fields.block ?? 0,
            groups: options.defaultGroups,
          },
        };
      // Every Joomla PATCH carries the full set of groups, read from the account just before.
      return { method: 'PATCH', path: '/v1/users/{id}', body: { ...fields, groups: '(the account’s current groups)' } };
    }
    default:
      return null;
  }
}
