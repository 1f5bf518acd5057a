/**
 * The engine's matching filters (../scim-client/filter.ts) as lookups a CMS can answer: one
 * attribute (the login or the email) equal to one or more values (`… or …` for a batch). Neither
 * WordPress nor Joomla has an exact filter on either — both offer a substring search — so the
 * connectors search for each value and keep only exact (case-insensitive) matches. Anything else
 * is not a matching filter and is refused rather than widened. Joomla reuses this file.
 */
import type { Filter, FilterValue } from '../../scim/filter/ast';
import { parseFilter } from '../../scim/filter/parse-filter';
import { pathText } from '../../scim/filter/to-sql';

export class UnsupportedLookup extends Error {}

export interface Lookup {
  attribute: 'username' | 'email';
  values: string[];
}

function leaves(f: Filter): { attribute: Lookup['attribute']; value: FilterValue }[] {
  if (f.kind === 'or') return [...leaves(f.left), ...leaves(f.right)];
  if (f.kind === 'compare' && f.op === 'eq') {
    const path = pathText(f.path);
    if (/^userName$/i.test(path)) return [{ attribute: 'username', value: f.value }];
    if (/^emails(\.value)?$/i.test(path)) return [{ attribute: 'email', value: f.value }];
  }
  if (f.kind === 'valuePath' && /^emails$/i.test(f.path.attr)) {
    // `emails[type eq "work" and value eq "x"]`: a CMS account keeps one address.
    const value = valueCompare(f.filter);
    if (value !== undefined) return [{ attribute: 'email', value }];
  }
  throw new UnsupportedLookup('only userName and emails compared with eq can be looked up');
}

function valueCompare(f: Filter): FilterValue | undefined {
  if (f.kind === 'compare' && f.op === 'eq' && /^value$/i.test(f.path.attr)) return f.value;
  if (f.kind === 'and') return valueCompare(f.left) ?? valueCompare(f.right);
  return undefined;
}

export function toLookup(filter: string): Lookup {
  let parsed: Filter;
  try {
    parsed = parseFilter(filter);
  } catch (e) {
    throw new UnsupportedLookup(`the filter does not parse: ${(e as Error).message}`);
  }
  const all = leaves(parsed);
  const attribute = all[0]!.attribute;
  if (all.some((l) => l.attribute !== attribute)) throw new UnsupportedLookup('a batch match compares one attribute at a time');
  return { attribute, values: [...new Set(all.map((l) => String(l.value)))] };
}

/** Logins and addresses compare case-insensitively on both CMSs (MySQL collation; WP's email check). */
export const sameValue = (a: string | undefined, b: string) => a !== undefined && a.toLowerCase() === b.toLowerCase();
