/**
 * The engine's matching filters (built by ../scim-client/filter.ts) as JSON:API filter query
 * parameters. Matching asks for one attribute equal to one value (`userName eq "ada"` →
 * `filter[name]=ada`), or, for a batch, to any of many (`… or …` → an IN condition, as Drupal's
 * jsonapi Filter accepts: `filter[m][condition][operator]=IN`). Anything else is not a matching
 * filter and is refused rather than widened.
 */
import type { DrupalTargetOptions } from '../../../../shared/src/drupal-target';
import type { Filter, FilterValue } from '../../scim/filter/ast';
import { parseFilter } from '../../scim/filter/parse-filter';
import { pathText } from '../../scim/filter/to-sql';

export class UnsupportedFilter extends Error {}

interface Leaf {
  field: string;
  value: FilterValue;
}

function leaves(f: Filter, fields: DrupalTargetOptions['fields']): Leaf[] {
  if (f.kind === 'or') return [...leaves(f.left, fields), ...leaves(f.right, fields)];
  if (f.kind === 'compare' && f.op === 'eq') {
    const path = pathText(f.path);
    const custom = fields[path];
    if (custom) return [{ field: custom, value: f.value }];
    if (/^userName$/i.test(path)) return [{ field: 'name', value: f.value }];
    if (/^emails(\.value)?$/i.test(path)) return [{ field: 'mail', value: f.value }];
  }
  if (f.kind === 'valuePath' && /^emails$/i.test(f.path.attr)) {
    // `emails[type eq "work" and value eq "x"]`: Drupal keeps one address, so the element's
    // type or primary flag selects nothing further; the value is what to look for.
    const value = valueCompare(f.filter);
    if (value !== undefined) return [{ field: 'mail', value }];
  }
  throw new UnsupportedFilter(`cannot translate this filter to JSON:API: only userName, emails and the mapped fields compared with eq`);
}

function valueCompare(f: Filter): FilterValue | undefined {
  if (f.kind === 'compare' && f.op === 'eq' && /^value$/i.test(f.path.attr)) return f.value;
  if (f.kind === 'and') return valueCompare(f.left) ?? valueCompare(f.right);
  return undefined;
}

/** Query string (without `?`) selecting the users the filter names. */
export function toJsonApiQuery(filter: string, fields: DrupalTargetOptions['fields']): string {
  let parsed: Filter;
  try {
    parsed = parseFilter(filter);
  } catch (e) {
    throw new UnsupportedFilter(`the filter does not parse: ${(e as Error).message}`);
  }
  const all = leaves(parsed, fields);
  const field = all[0]!.field;
  if (all.some((l) => l.field !== field)) throw new UnsupportedFilter('a batch match compares one attribute at a time');
  const q = new URLSearchParams();
  const values = [...new Set(all.map((l) => String(l.value)))];
  if (values.length === 1) {
    // Drupal's shorthand: filter[field]=value is an equality condition.
    q.set(`filter[${field}]`, values[0]!);
  } else {
    q.set('filter[m][condition][path]', field);
    q.set('filter[m][condition][operator]', 'IN');
    for (const v of values) q.append('filter[m][condition][value][]', v);
  }
  return q.toString();
}
