/**
 * Templates: `{name.givenName}.{name.familyName}@example.com`. Each `{…}` is a source
 * expression (a path, or alternatives `{nickName | name.givenName}`); `{` always opens one.
 * If any placeholder has no value the template yields nothing, so the rule's `default` applies:
 * "Ann.@example.com" is worse than no value.
 */
import { isObject, type Json, type JsonObject } from '../../scim/schema/normalize';
import { readSource } from './get-path';
import { MappingError } from './path';

type Part = { text: string } | { expr: string };

/** Splits a template into literal text and placeholders; throws MappingError when a `{` is never closed. */
export function parseTemplate(template: string): Part[] {
  const parts: Part[] = [];
  let i = 0;
  while (i < template.length) {
    const open = template.indexOf('{', i);
    if (open < 0) {
      parts.push({ text: template.slice(i) });
      break;
    }
    if (open > i) parts.push({ text: template.slice(i, open) });
    const close = closingBrace(template, open + 1);
    if (close < 0) throw new MappingError(template, `the "{" at position ${open + 1} is never closed`);
    parts.push({ expr: template.slice(open + 1, close) });
    i = close + 1;
  }
  return parts;
}

/** The index of the `}` closing a placeholder, skipping quoted filter values (`{emails[type eq "}"].value}`). */
function closingBrace(s: string, from: number): number {
  let quoted = false;
  for (let i = from; i < s.length; i++) {
    const ch = s[i];
    if (quoted && ch === '\\') i++;
    else if (ch === '"') quoted = !quoted;
    else if (ch === '}' && !quoted) return i;
  }
  return -1;
}

/** The rendered string, or undefined when a placeholder has no scalar value. */
export function renderTemplate(template: string, resource: JsonObject): string | undefined {
  let out = '';
  for (const part of parseTemplate(template)) {
    if ('text' in part) {
      out += part.text;
      continue;
    }
    const value: Json | undefined = readSource(resource, part.expr);
    if (value === undefined || isObject(value) || Array.isArray(value) || value === null) return undefined;
    out += String(value);
  }
  return out;
}
