/** sortBy → ORDER BY (RFC 7644 §3.4.2.3), over the same storage map as filters. */
import type { SqlFragment } from '../../directory/types';
import { badRequest } from '../errors';
import { resolvePath } from '../schema/registry';
import type { ResourceTypeDef } from '../schema/types';
import type { AttrPath } from './ast';
import { pathText, singleOperand } from './to-sql';

/** ORDER BY for sortBy (RFC 7644 §3.4.2.3); ties broken by insertion order for stable pages. */
export function compileSort(rt: ResourceTypeDef, sortBy: AttrPath | undefined, descending: boolean): SqlFragment {
  const dir = descending ? 'DESC' : 'ASC';
  const table = rt.table;
  if (!sortBy) return { sql: `${table}.pk ${dir}`, params: [] };
  const r = resolvePath(rt, sortBy);
  if (!r) throw badRequest('invalidValue', `Unknown sortBy attribute "${pathText(sortBy)}".`);
  let expr: string;
  if (r.def.multiValued) {
    // RFC 7644 §3.4.2.3: a multi-valued attribute sorts by its primary value (or its first one).
    if (r.def.storage?.kind !== 'values') throw badRequest('invalidValue', `Cannot sort by "${pathText(sortBy)}".`);
    expr = `(SELECT v.value_lower FROM user_values v WHERE v.user_pk = ${table}.pk AND v.attr = '${r.def.storage.attr}' ORDER BY v."primary" DESC, v.rowid LIMIT 1)`;
  } else {
    const o = singleOperand(rt, r);
    expr = !o.def.caseExact && !o.folded && o.def.type === 'string' ? `lower(${o.sql})` : o.sql;
  }
  return { sql: `${expr} ${dir}, ${table}.pk ${dir}`, params: [] };
}
