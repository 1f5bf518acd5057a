/**
 * The connector for a target's kind: the engine talks to every target through `ScimClient`;
 * a SCIM target gets the SCIM client, a Drupal, WordPress or Joomla site the connector that
 * presents the same interface. "Save and test" picks its report the same way, and the console's
 * role picker asks the CMS connectors for the site's roles or groups.
 */
import type { Target } from '../../../shared/src';
import type { DrupalTargetOptions } from '../../../shared/src/drupal-target';
import type { JoomlaTargetOptions } from '../../../shared/src/joomla-target';
import { parseKindOptions } from '../../../shared/src/target-kinds';
import type { WordpressTargetOptions } from '../../../shared/src/wordpress-target';
import { d1RoleMemory } from '../db/remote-roles';
import { createDrupalClient, testDrupalConnection } from './drupal-client';
import { createRoleDirectory } from './drupal-client/roles';
import { createDrupalTransport } from './drupal-client/transport';
import { createJoomlaClient, testJoomlaConnection } from './joomla-client';
import { createScimClient, testConnection, type ClientHooks, type ScimClient, type TestConnectionResult } from './scim-client';
import type { Result } from './scim-client/types';
import { createWordpressClient, testWordpressConnection } from './wordpress-client';

export interface ConnectorInput {
  target: Target;
  token: string;
  fetch?: typeof fetch;
  /** where a WordPress deactivation keeps the roles it removed (in memory without it) */
  db?: D1Database;
}

const connection = (input: ConnectorInput) => ({ baseUrl: input.target.baseUrl, token: input.token, ...(input.fetch ? { fetch: input.fetch } : {}) });

/** A CMS site's connection: its options, or its kind's defaults when the target row has none. */
function cmsConnection<O>(input: ConnectorInput, kind: 'drupal-jsonapi' | 'wordpress-rest' | 'joomla-webservices') {
  const parsed = parseKindOptions(kind, input.target.options ?? {});
  if (!parsed.ok) throw new Error(`the ${kind} target's options do not parse: ${parsed.issues[0]?.message}`);
  return { ...connection(input), options: parsed.options as O };
}
const wordpressConnection = (input: ConnectorInput) => ({
  ...cmsConnection<WordpressTargetOptions>(input, 'wordpress-rest'),
  ...(input.db ? { memory: d1RoleMemory(input.db, input.target.id) } : {}),
});

export function createTargetClient(input: ConnectorInput, hooks: ClientHooks = {}): ScimClient {
  switch (input.target.kind) {
    case 'drupal-jsonapi':
      return createDrupalClient(cmsConnection<DrupalTargetOptions>(input, 'drupal-jsonapi'), hooks);
    case 'wordpress-rest':
      return createWordpressClient(wordpressConnection(input), hooks);
    case 'joomla-webservices':
      return createJoomlaClient(cmsConnection<JoomlaTargetOptions>(input, 'joomla-webservices'), hooks);
    default:
      return createScimClient(connection(input), hooks);
  }
}

export function testTargetConnection(input: ConnectorInput, opts: { existingUserName?: string } = {}): Promise<TestConnectionResult> {
  const { matching } = input.target;
  switch (input.target.kind) {
    case 'drupal-jsonapi':
      return testDrupalConnection(cmsConnection<DrupalTargetOptions>(input, 'drupal-jsonapi'), matching, opts);
    case 'wordpress-rest':
      return testWordpressConnection(wordpressConnection(input), matching, opts);
    case 'joomla-webservices':
      return testJoomlaConnection(cmsConnection<JoomlaTargetOptions>(input, 'joomla-webservices'), matching, opts);
    default:
      return testConnection(createScimClient(connection(input)), matching, opts);
  }
}

/** A role (Drupal, WordPress) or user group (Joomla) the site offers, for the role map's picker. */
export interface SiteRole {
  id: string;
  name: string;
}

/** The site's roles or groups; null for a SCIM target (it has none to map to). */
export async function listTargetRoles(input: ConnectorInput): Promise<Result<SiteRole[]> | null> {
  switch (input.target.kind) {
    case 'drupal-jsonapi': {
      const conn = cmsConnection<DrupalTargetOptions>(input, 'drupal-jsonapi');
      const roles = await createRoleDirectory(createDrupalTransport(conn)).uuids();
      return roles.ok ? { ...roles, value: [...roles.value.keys()].map((id) => ({ id, name: id })) } : roles;
    }
    case 'wordpress-rest':
      return createWordpressClient(wordpressConnection(input)).listRoles();
    case 'joomla-webservices':
      return createJoomlaClient(cmsConnection<JoomlaTargetOptions>(input, 'joomla-webservices')).listGroups();
    default:
      return null;
  }
}
