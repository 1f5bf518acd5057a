/**
 * The parser's view of the input: one token of lookahead, the error factory, and the nesting
 * depth. Shared by parse-filter.ts and parse-path.ts so a PATCH path's bracketed filter is parsed
 * by the same code but fails with `invalidPath` instead of `invalidFilter` (RFC 7644 §3.12).
 */
import { badRequest, type ScimType } from '../errors';
import { readToken, type Fail, type Token } from './tokenize';

/**
 * Deepest allowed nesting of "(", "not (" and "[". Recursive descent uses a few stack frames
 * per level, so the cap is what turns 10,000 nested parentheses into a 400 instead of a
 * RangeError (a 500) — and no real client nests anywhere near 50.
 */
export const MAX_FILTER_DEPTH = 50;

export interface Cursor {
  peek(): Token;
  next(): Token;
  fail: Fail;
  /** Call on every "(" or "["; fails once nesting passes MAX_FILTER_DEPTH. */
  enter(pos: number): void;
  leave(): void;
}

export function createCursor(input: string, scimType: Extract<ScimType, 'invalidFilter' | 'invalidPath'>): Cursor {
  const what = scimType === 'invalidFilter' ? 'filter' : 'path';
  const fail: Fail = (message, pos) => {
    throw badRequest(scimType, `Invalid ${what}: ${message} (at position ${pos + 1})`);
  };
  // The lookahead is read on demand, so an operator is judged before the value after it is lexed.
  let offset = 0;
  let current: Token | undefined;
  let depth = 0;
  const peek = () => (current ??= readToken(input, offset, fail));
  return {
    peek,
    next() {
      const t = peek();
      offset = t.end;
      current = undefined;
      return t;
    },
    fail,
    enter(pos) {
      depth++;
      if (depth > MAX_FILTER_DEPTH) fail(`nesting deeper than ${MAX_FILTER_DEPTH} levels`, pos);
    },
    leave() {
      depth--;
    },
  };
}

/** Logical keywords are case-insensitive (RFC 7644 §3.4.2.2: "and", "AND" and "And" agree). */
export function isKeyword(t: Token, keyword: 'and' | 'or' | 'not'): boolean {
  return t.kind === 'word' && t.text.toLowerCase() === keyword;
}
