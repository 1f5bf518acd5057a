/**
 * The payload a target receives for one directory user: each rule reads a source expression,
 * a constant or a template, applies its transforms in order, falls back to its `default`, and
 * writes the target path. Pure: the preview and the dispatcher call the same function.
 */
import type { MappingRule } from '../../../../shared/src/targets';
import type { Json, JsonObject } from '../../scim/schema/normalize';
import { isObject } from '../../scim/schema/normalize';
import { readSource } from './get-path';
import { SCIM_USER_URN, present } from './path';
import { setPath } from './set-path';
import { renderTemplate } from './template';

export type MappingPhase = 'create' | 'update';

export interface MappingResult {
  /** a SCIM User body for the target; `schemas` lists core and every extension URN used */
  payload: JsonObject;
  /** target paths whose source is now missing and whose rule says clearWhenMissing (update only) */
  cleared: string[];
}

/** Maps `user` (a directory User resource) for `phase`. Throws MappingError on an invalid path. */
export function applyMapping(rules: readonly MappingRule[], user: JsonObject, phase: MappingPhase): MappingResult {
  const body: JsonObject = {};
  const written = new Set<string>();
  const missing: string[] = [];
  for (const rule of rules) {
    // "on create only": set once when the account is made, then left to the target.
    if (rule.when === 'create' && phase !== 'create') continue;
    const value = ruleValue(rule, user);
    if (value !== undefined) {
      setPath(body, rule.target, value);
      written.add(rule.target);
    } else if (rule.clearWhenMissing && rule.constant === undefined) {
      missing.push(rule.target);
    }
  }
  // A new account has nothing to clear; on update a later rule may still have written the path.
  const cleared = phase === 'create' ? [] : [...new Set(missing)].filter((t) => !written.has(t));
  return { payload: withSchemas(body), cleared };
}

/** What one rule yields for `user`, after transforms and default; undefined for nothing. */
export function ruleValue(rule: MappingRule, user: JsonObject): Json | undefined {
  let value: Json | undefined;
  if (rule.constant !== undefined) value = rule.constant;
  else if (rule.template !== undefined) value = renderTemplate(rule.template, user);
  else if (rule.source !== undefined) value = readSource(user, rule.source);
  if (typeof value === 'string') value = present(rule.transforms.reduce(transform, value));
  return value ?? rule.default;
}

function transform(value: string, name: MappingRule['transforms'][number]): string {
  switch (name) {
    case 'lower':
      return value.toLowerCase();
    case 'upper':
      return value.toUpperCase();
    case 'trim':
      return value.trim();
  }
}

/** RFC 7643 §3: `schemas` names the core schema and each extension present in the body. */
export function withSchemas(body: JsonObject): JsonObject {
  const extensions = Object.keys(body).filter((k) => k.toLowerCase().startsWith('urn:') && isObject(body[k]));
  return { schemas: [SCIM_USER_URN, ...extensions], ...body };
}
