import type { MappingRule } from '../../../../shared/src/targets';

export const TRANSFORM_NAMES = ['lower', 'upper', 'trim'] as const;
export type TransformName = (typeof TRANSFORM_NAMES)[number];
export type RuleKind = 'source' | 'constant' | 'template';

/** A mapping rule as the editor holds it: one value box whose meaning the kind decides. */
export interface RuleDraft {
  key: number;
  target: string;
  kind: RuleKind;
  value: string;
  transforms: TransformName[];
  /** '' for none */
  fallback: string;
  when: 'always' | 'create';
  clearWhenMissing: boolean;
}

let nextKey = 1;

export function newRule(): RuleDraft {
  return { key: nextKey++, target: '', kind: 'source', value: '', transforms: [], fallback: '', when: 'always', clearWhenMissing: true };
}

export function ruleDraftOf(rule: MappingRule): RuleDraft {
  const kind: RuleKind = rule.source !== undefined ? 'source' : rule.template !== undefined ? 'template' : 'constant';
  const value = kind === 'source' ? rule.source! : kind === 'template' ? rule.template! : String(rule.constant);
  return {
    key: nextKey++,
    target: rule.target,
    kind,
    value,
    transforms: [...rule.transforms],
    fallback: rule.default === undefined ? '' : String(rule.default),
    when: rule.when,
    clearWhenMissing: rule.clearWhenMissing,
  };
}

/** Constants and defaults typed as `true`/`false` are booleans (SCIM `active`); anything else is text. */
const scalar = (text: string): string | boolean => (text === 'true' ? true : text === 'false' ? false : text);

/** The rules as the API takes them (PUT /targets/{id}/mapping, preview's `mapping`). */
export function rulesOf(drafts: readonly RuleDraft[]): Record<string, unknown>[] {
  return drafts.map((d) => ({
    target: d.target.trim(),
    [d.kind]: d.kind === 'constant' ? scalar(d.value) : d.value,
    transforms: d.transforms,
    ...(d.fallback !== '' ? { default: scalar(d.fallback) } : {}),
    when: d.when,
    clearWhenMissing: d.clearWhenMissing,
  }));
}
