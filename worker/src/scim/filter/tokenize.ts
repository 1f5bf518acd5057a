/**
 * The lexer shared by the filter parser (RFC 7644 §3.4.2.2) and the PATCH path parser (§3.5.2).
 *
 * It knows only four kinds of token: brackets, JSON strings, and "words" — every other run of
 * characters up to whitespace, a bracket or a quote. A word is an attribute path, an operator, a
 * logical keyword or a bare value depending on where the parser meets it, which is what lets
 * the parser accept unquoted values (quirk `unquotedValue`) without a second lexing mode.
 *
 * Tokens are read lazily, one at a time, so the first error in reading order is the one
 * reported, and positions are 0-based offsets into the input (messages show them 1-based).
 */

export type Token =
  | { kind: 'word'; text: string; pos: number; end: number }
  | { kind: 'string'; value: string; pos: number; end: number }
  | { kind: '(' | ')' | '[' | ']' | 'end'; pos: number; end: number };

/** Throws the caller's ScimError; `pos` is a 0-based offset into the input. */
export type Fail = (message: string, pos: number) => never;

const isSpace = (ch: string) => ch === ' ' || ch === '\t' || ch === '\r' || ch === '\n';
const isPunct = (ch: string) => ch === '(' || ch === ')' || ch === '[' || ch === ']';

/** Reads the token that starts at or after `from` (leading whitespace is skipped). */
export function readToken(input: string, from: number, fail: Fail): Token {
  let pos = from;
  while (pos < input.length && isSpace(input[pos]!)) pos++;
  if (pos >= input.length) return { kind: 'end', pos: input.length, end: input.length };
  const ch = input[pos]!;
  if (isPunct(ch)) return { kind: ch as '(' | ')' | '[' | ']', pos, end: pos + 1 };
  if (ch === '"') return readString(input, pos, fail);
  let end = pos;
  while (end < input.length && !isSpace(input[end]!) && !isPunct(input[end]!) && input[end] !== '"') end++;
  return { kind: 'word', text: input.slice(pos, end), pos, end };
}

const SIMPLE_ESCAPES: Record<string, string> = {
  '"': '"',
  '\\': '\\',
  '/': '/',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
};

/**
 * RFC 7644 §3.4.2.2: "String literals MUST be valid JSON strings" (RFC 8259 §7), so the escapes
 * are JSON's, including `\uXXXX` (surrogate pairs combine naturally as UTF-16 code units).
 */
function readString(input: string, start: number, fail: Fail): Token {
  let value = '';
  let pos = start + 1;
  while (pos < input.length) {
    const ch = input[pos]!;
    if (ch === '"') return { kind: 'string', value, pos: start, end: pos + 1 };
    if (ch !== '\\') {
      value += ch;
      pos++;
      continue;
    }
    const esc = input[pos + 1];
    if (esc === undefined) break;
    if (esc === 'u') {
      const hex = input.slice(pos + 2, pos + 6);
      if (!/^[0-9a-fA-F]{4}$/.test(hex)) fail('invalid \\u escape in string: expected 4 hex digits', pos);
      value += String.fromCharCode(parseInt(hex, 16));
      pos += 6;
      continue;
    }
    const simple = SIMPLE_ESCAPES[esc];
    if (simple === undefined) fail(`invalid escape "\\${esc}" in string`, pos);
    value += simple;
    pos += 2;
  }
  return fail("unterminated string: missing closing '\"'", start);
}

/** How a token reads in an error message. */
export function describeToken(t: Token): string {
  switch (t.kind) {
    case 'word':
      return `"${t.text}"`;
    case 'string':
      return `the string ${JSON.stringify(t.value)}`;
    case 'end':
      return 'the end of the input';
    default:
      return `'${t.kind}'`;
  }
}
