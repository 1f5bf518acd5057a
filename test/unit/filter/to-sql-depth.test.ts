/**
 * D1's SQLite refuses expressions deeper than 100 levels. The compiler joins and/or chains as
 * trees of least depth and refuses, with 400 invalidFilter, SQL its bound says is too deep.
 */
import { describe, expect, it } from 'vitest';
import { ScimError } from '../../../worker/src/scim/errors';
import { parseFilter } from '../../../worker/src/scim/filter/parse-filter';
import { compileFilter } from '../../../worker/src/scim/filter/to-sql';
import { userResourceType } from '../../../worker/src/scim/schema/registry';

/** The deepest nesting of parentheses in the SQL: each one is a level of the expression tree. */
function parenDepth(sql: string): number {
  let depth = 0;
  let max = 0;
  for (const ch of sql) {
    if (ch === '(') max = Math.max(max, ++depth);
    else if (ch === ')') depth--;
  }
  return max;
}

const compile = (filter: string) => compileFilter(userResourceType, parseFilter(filter));
const chain = (n: number, term: string, op: string) => Array.from({ length: n }, () => term).join(` ${op} `);

describe('compiling long chains', () => {
  it('98 or-ed terms nest 8 levels deep in SQL, not 98', () => {
    expect(parenDepth(compile(chain(98, 'userName pr', 'or')).sql)).toBeLessThanOrEqual(8);
  });

  it('and-chains and chains inside value paths are balanced too', () => {
    expect(parenDepth(compile(chain(250, 'title pr', 'and')).sql)).toBeLessThanOrEqual(10);
    expect(parenDepth(compile(`emails[${chain(60, 'type pr', 'or')}]`).sql)).toBeLessThanOrEqual(10);
  });

  it('keeps the meaning and the order of bound values', () => {
    const out = compile('userName eq "a" or userName eq "b" or userName eq "c"');
    expect(out.params).toEqual(['a', 'b', 'c']);
    expect(out.sql).toMatch(/OR/);
  });

  it('a deeply nested operand costs one level more than itself, not one per sibling', () => {
    const deep = `${'not ('.repeat(20)}userName pr${')'.repeat(20)}`;
    const alone = parenDepth(compile(deep).sql);
    expect(parenDepth(compile(`${chain(50, 'title pr', 'or')} or ${deep}`).sql)).toBe(alone + 1);
  });

  it('refuses SQL too deep for SQLite with 400 invalidFilter', () => {
    const alternating = `${'not (userName pr or '.repeat(49)}userName pr${')'.repeat(49)}`;
    expect(() => compile(alternating)).toThrow(ScimError);
    try {
      compile(alternating);
    } catch (err) {
      expect(err).toMatchObject({ status: 400, scimType: 'invalidFilter' });
    }
  });
});
