/**
 * The connector for a target's kind: the engine talks to every target through `ScimClient`;
 * a SCIM target gets the SCIM client, a Drupal site the JSON:API connector that presents the
 * same interface. "Save and test" picks its report the same way.
 */
import type { Target } from '../../../shared/src';
import { drupalTargetOptionsSchema } from '../../../shared/src/drupal-target';
import { createDrupalClient, testDrupalConnection } from './drupal-client';
import { createScimClient, testConnection, type ClientHooks, type ScimClient, type TestConnectionResult } from './scim-client';

export interface ConnectorInput {
  target: Target;
  token: string;
  fetch?: typeof fetch;
}

const connection = (input: ConnectorInput) => ({ baseUrl: input.target.baseUrl, token: input.token, ...(input.fetch ? { fetch: input.fetch } : {}) });

/** A Drupal site's connection: its options, or the defaults when the target row has none. */
const drupalConnection = (input: ConnectorInput) => ({ ...connection(input), options: input.target.options ?? drupalTargetOptionsSchema.parse({}) });

export function createTargetClient(input: ConnectorInput, hooks: ClientHooks = {}): ScimClient {
  if (input.target.kind === 'drupal-jsonapi') return createDrupalClient(drupalConnection(input), hooks);
  return createScimClient(connection(input), hooks);
}

export function testTargetConnection(input: ConnectorInput, opts: { existingUserName?: string } = {}): Promise<TestConnectionResult> {
  if (input.target.kind === 'drupal-jsonapi') return testDrupalConnection(drupalConnection(input), input.target.matching, opts);
  return testConnection(createScimClient(connection(input)), input.target.matching, opts);
}
