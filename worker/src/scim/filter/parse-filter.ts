/**
 * The SCIM filter parser (RFC 7644 §3.4.2.2):
 *
 *   FILTER    = attrExp / logExp / valuePath / *1"not" "(" FILTER ")"
 *   valuePath = attrPath "[" valFilter "]"
 *   attrExp   = (attrPath SP "pr") / (attrPath SP compareOp SP compValue)
 *   precedence: grouping, then attribute operators, then not > and > or (all left-associative)
 *
 * Hand-written (a lexer in tokenize.ts and recursive descent here) rather than a library such
 * as scim2-parse-filter because we need three things those do not give together: the client
 * quirks real IdPs send (unquoted values, `Eq`/`AND`/`False` in any case, `emails[…].value eq`),
 * error messages with the exact character position for the `invalidFilter` detail, and an AST
 * shaped for the SQL compiler (ast.ts) rather than for in-memory evaluation.
 */
import type { AttrPath, CompareOp, Filter, FilterValue } from './ast';
import { createCursor, isKeyword, type Cursor } from './cursor';
import { parseAttrPath } from './parse-attr-path';
import { describeToken, type Token } from './tokenize';

const COMPARE_OPS: readonly CompareOp[] = ['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le'];
const isCompareOp = (op: string): op is CompareOp => (COMPARE_OPS as readonly string[]).includes(op);
/** RFC 8259 §6 number grammar: `007` or `1.` are not numbers, so they stay strings. */
const JSON_NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;

/** Parses a `filter` query parameter (or POST /.search body field); throws 400 invalidFilter. */
export function parseFilter(input: string): Filter {
  const c = createCursor(input, 'invalidFilter');
  if (c.peek().kind === 'end') c.fail('the filter is empty', 0);
  const filter = parseOr(c, false);
  expectEnd(c, "'and', 'or' or the end of the filter");
  return filter;
}

/**
 * `[ valFilter ]` after an attribute path, the cursor on the "[". Exported for parse-path.ts:
 * a PATCH path's selector is the same grammar (RFC 7644 §3.5.2 valuePath).
 */
export function parseBracketFilter(c: Cursor, path: AttrPath): Filter {
  const open = c.next();
  if (path.sub !== undefined) c.fail(`a value path needs a multi-valued attribute, not "${path.attr}.${path.sub}"`, open.pos);
  if (c.peek().kind === ']') c.fail(`the value path "${path.attr}[]" has no filter`, open.pos);
  c.enter(open.pos);
  const filter = parseOr(c, true);
  closeWith(c, ']', open);
  c.leave();
  return filter;
}

/** Fails unless the input is used up; explains stray closing brackets specially. */
export function expectEnd(c: Cursor, expected: string): void {
  const t = c.peek();
  if (t.kind === 'end') return;
  if (t.kind === ')' || t.kind === ']') c.fail(`'${t.kind}' has no matching '${t.kind === ')' ? '(' : '['}'`, t.pos);
  c.fail(`expected ${expected} but found ${describeToken(t)}`, t.pos);
}

function parseOr(c: Cursor, inValuePath: boolean): Filter {
  let left = parseAnd(c, inValuePath);
  while (isKeyword(c.peek(), 'or')) {
    c.next();
    left = { kind: 'or', left, right: parseAnd(c, inValuePath) };
  }
  return left;
}

function parseAnd(c: Cursor, inValuePath: boolean): Filter {
  let left = parseUnary(c, inValuePath);
  while (isKeyword(c.peek(), 'and')) {
    c.next();
    left = { kind: 'and', left, right: parseUnary(c, inValuePath) };
  }
  return left;
}

function parseUnary(c: Cursor, inValuePath: boolean): Filter {
  const t = c.peek();
  if (isKeyword(t, 'not')) {
    c.next();
    // RFC 7644 §3.4.2.2 ABNF: "not" always takes a parenthesised filter.
    if (c.peek().kind !== '(') c.fail(`expected '(' after "not" but found ${describeToken(c.peek())}`, c.peek().pos);
    return { kind: 'not', filter: parseGroup(c, inValuePath) };
  }
  if (t.kind === '(') return parseGroup(c, inValuePath);
  if (t.kind === 'word') return parseAttrExp(c, inValuePath);
  if (t.kind === 'end') return c.fail('expected an expression but the input ended', t.pos);
  return c.fail(`expected an attribute name or '(' but found ${describeToken(t)}`, t.pos);
}

function parseGroup(c: Cursor, inValuePath: boolean): Filter {
  const open = c.next();
  c.enter(open.pos);
  const filter = parseOr(c, inValuePath);
  closeWith(c, ')', open);
  c.leave();
  return filter;
}

function closeWith(c: Cursor, close: ')' | ']', open: Token): void {
  const t = c.peek();
  if (t.kind === close) {
    c.next();
    return;
  }
  const opener = close === ')' ? '(' : '[';
  if (t.kind === 'end') c.fail(`missing '${close}' to close the '${opener}' at position ${open.pos + 1}`, t.pos);
  c.fail(`expected 'and', 'or' or '${close}' but found ${describeToken(t)}`, t.pos);
}

function parseAttrExp(c: Cursor, inValuePath: boolean): Filter {
  const word = c.next() as Extract<Token, { kind: 'word' }>;
  const path = parseAttrPath(word.text, word.pos, c.fail);
  if (c.peek().kind === '[') {
    // RFC 7644 §3.4.2.2: valFilter is attrExp / logExp, never another valuePath.
    if (inValuePath) c.fail('value paths cannot be nested', c.peek().pos);
    return parseValuePath(c, path);
  }
  // Inside "[…]" names are sub-attributes of one element (RFC 7643 §2.4: no deeper nesting).
  if (inValuePath && (path.uri !== undefined || path.sub !== undefined)) {
    c.fail(`inside a value path, "${word.text}" must be a plain sub-attribute name`, word.pos);
  }
  return parseOperation(c, path, word.text);
}

/**
 * `emails[type eq "work"]`, and quirk `valuePathSubAttrCompare`: `emails[type eq "work"].value
 * eq "x"` is not in the ABNF but Entra ID and others send it; it means "an element whose type is
 * work and whose value is x", so the trailing comparison joins the bracketed filter with "and".
 */
function parseValuePath(c: Cursor, path: AttrPath): Filter {
  const inner = parseBracketFilter(c, path);
  const after = c.peek();
  if (after.kind !== 'word' || !after.text.startsWith('.')) return { kind: 'valuePath', path, filter: inner };
  c.next();
  const sub = parseAttrPath(after.text.slice(1), after.pos + 1, c.fail);
  if (sub.uri !== undefined || sub.sub !== undefined) c.fail(`invalid sub-attribute "${after.text}"`, after.pos);
  const trailing = parseOperation(c, sub, `${path.attr}[…]${after.text}`);
  return { kind: 'valuePath', path, filter: { kind: 'and', left: inner, right: trailing } };
}

function parseOperation(c: Cursor, path: AttrPath, subject: string): Filter {
  const opToken = c.next();
  if (opToken.kind !== 'word') {
    return c.fail(`expected an operator after "${subject}" but found ${describeToken(opToken)}`, opToken.pos);
  }
  const op = opToken.text.toLowerCase();
  if (op === 'pr') {
    const after = c.peek();
    if (after.kind === 'string' || (after.kind === 'word' && !isKeyword(after, 'and') && !isKeyword(after, 'or'))) {
      c.fail(`"pr" takes no value but found ${describeToken(after)}`, after.pos);
    }
    return { kind: 'present', path };
  }
  if (!isCompareOp(op)) {
    c.fail(`unknown operator "${opToken.text}"; expected one of ${COMPARE_OPS.join(', ')}, pr`, opToken.pos);
  }
  return { kind: 'compare', path, op, value: parseValue(c, opToken.text) };
}

function parseValue(c: Cursor, op: string): FilterValue {
  const t = c.peek();
  if (t.kind === 'string') {
    c.next();
    return t.value;
  }
  if (t.kind !== 'word' || isKeyword(t, 'and') || isKeyword(t, 'or')) {
    return c.fail(`missing value after "${op}"`, t.pos);
  }
  c.next();
  return bareValue(t.text);
}

/**
 * RFC 7644 §3.4.2.2 compValue = false / null / true / number / string. Literals are matched in
 * any case because Entra ID sends `False`. Anything else that is not a JSON number is quirk
 * `unquotedValue` (`userName eq john@example.com`): taken as a string. A number-looking token
 * stays a number; the SQL compiler coerces it against the attribute's type.
 */
function bareValue(text: string): FilterValue {
  const lower = text.toLowerCase();
  if (lower === 'true') return true;
  if (lower === 'false') return false;
  if (lower === 'null') return null;
  if (JSON_NUMBER.test(text)) return Number(text);
  return text;
}
