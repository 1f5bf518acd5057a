/**
 * Turns request bytes into a JSON value, refusing what JSON.parse would let through silently:
 *  - bytes that are not UTF-8 (RFC 8259 §8.1: JSON exchanged between systems MUST be UTF-8);
 *    a lenient decoder would store U+FFFD in place of the client's data;
 *  - escaped lone surrogates (`"\ud800"`, RFC 8259 §8.2): not a string any other system reads back;
 *  - a member name given twice, compared case-insensitively at any depth. RFC 7643 §2.1 makes
 *    attribute names case-insensitive, so `{"userName":…,"USERNAME":…}` names one attribute
 *    twice, and JSON.parse would silently keep the last;
 *  - nesting deeper than MAX_JSON_DEPTH, before any recursive code (the Bulk reference resolver,
 *    normalisation) walks the value and overflows the stack.
 * Each is 400 invalidSyntax (RFC 7644 §3.12: "did not conform to the request schema").
 */
import { badRequest } from './errors';

/**
 * The deepest SCIM body is a Bulk operation carrying a PATCH of a complex multi-valued value
 * (BulkRequest → Operations → op → data → Operations → op → value → emails → element): 9. Room
 * to spare, and far below what recursion over a value can handle.
 */
export const MAX_JSON_DEPTH = 32;

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export function decodeUtf8(bytes: ArrayBuffer): string {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    throw badRequest('invalidSyntax', 'The request body is not valid UTF-8.');
  }
}

export function parseJsonBody(text: string): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw badRequest('invalidSyntax', `The request body is not valid JSON: ${(err as Error).message}`);
  }
  inspectJson(text);
  return value;
}

/**
 * One pass over text JSON.parse has accepted, so the grammar is known to hold: it only tracks
 * brackets and which strings are member names. Iterative, so any depth is safe to inspect.
 */
function inspectJson(text: string): void {
  // One entry per open bracket: the member names seen so far for an object, null for an array.
  const stack: (Set<string> | null)[] = [];
  let expectName = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (ch === 0x22 /* " */) {
      let j = i + 1;
      let escaped = false;
      while (text.charCodeAt(j) !== 0x22) {
        if (text.charCodeAt(j) === 0x5c /* \ */) {
          escaped = true;
          j++;
        }
        j++;
      }
      const literal = text.slice(i, j + 1);
      const value = escaped ? (JSON.parse(literal) as string) : literal.slice(1, -1);
      if (escaped && LONE_SURROGATE.test(value)) throw badRequest('invalidSyntax', `The string ${clip(literal)} holds a lone surrogate (RFC 8259 §8.2).`);
      const names = stack[stack.length - 1];
      if (expectName && names) {
        const key = value.toLowerCase();
        // RFC 7643 §2.1: attribute names are case-insensitive, so these name one attribute twice.
        if (names.has(key))
          throw badRequest('invalidSyntax', `The member "${clip(value)}" appears twice in one object (names are case-insensitive, RFC 7643 §2.1).`);
        names.add(key);
      }
      i = j;
    } else if (ch === 0x7b /* { */ || ch === 0x5b /* [ */) {
      stack.push(ch === 0x7b ? new Set() : null);
      if (stack.length > MAX_JSON_DEPTH) throw badRequest('invalidSyntax', `The request body is nested deeper than ${MAX_JSON_DEPTH} levels.`);
      expectName = ch === 0x7b;
    } else if (ch === 0x7d /* } */ || ch === 0x5d /* ] */) {
      stack.pop();
      expectName = false;
    } else if (ch === 0x2c /* , */) {
      expectName = stack[stack.length - 1] != null;
    } else if (ch === 0x3a /* : */) {
      expectName = false;
    }
  }
}

const clip = (s: string) => (s.length > 60 ? `${s.slice(0, 57)}…` : s);
