/**
 * Checks a mapping before it is saved, so a bad path is an admin's form error and not a failure
 * in the middle of a run: every path parses, and each rule's target is a single path.
 */
import type { MappingRule } from '../../../../shared/src/targets';
import { MappingError, parseMappingPath, splitAlternatives } from './path';
import { parseTemplate } from './template';

/** One message per problem, naming the rule by its target; empty when the mapping is sound. */
export function mappingProblems(rules: readonly MappingRule[]): string[] {
  const problems: string[] = [];
  for (const rule of rules) {
    const check = (run: () => void) => {
      try {
        run();
      } catch (e) {
        if (!(e instanceof MappingError)) throw e;
        problems.push(`${rule.target}: ${e.message}`);
      }
    };
    check(() => {
      if (splitAlternatives(rule.target).length > 1) throw new MappingError(rule.target, 'a target is one path, without "|" alternatives');
      parseMappingPath(rule.target);
    });
    if (rule.source !== undefined) check(() => splitAlternatives(rule.source!).forEach(parseMappingPath));
    if (rule.template !== undefined) {
      check(() => parseTemplate(rule.template!).forEach((p) => 'expr' in p && splitAlternatives(p.expr).forEach(parseMappingPath)));
    }
  }
  return problems;
}
