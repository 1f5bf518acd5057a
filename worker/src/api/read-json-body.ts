/**
 * Reads an admin API request body as JSON, refusing what would otherwise be silently changed or
 * would crash later: bytes that are not UTF-8 (RFC 8259 §8.1: JSON exchanged between systems is
 * UTF-8), strings with lone surrogates (not Unicode text; D1 and the outbound JSON cannot carry
 * them faithfully), and nesting deeper than any admin request needs (recursive code after
 * validation — merge patch, zod, logging — must not run out of stack).
 */
import type { Context } from 'hono';

/** The deepest admin request is a mapping rule inside a list inside a body (3); 32 is generous. */
export const MAX_JSON_DEPTH = 32;

export type JsonBody = { ok: true; value: unknown } | { ok: false; message: string };

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });
/** In a `u` regex a surrogate range matches only unpaired halves: a pair is one code point. */
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

export async function readJsonBody(c: Context): Promise<JsonBody> {
  let text: string;
  try {
    text = utf8.decode(await c.req.arrayBuffer());
  } catch {
    return { ok: false, message: 'The request body is not valid UTF-8.' };
  }
  if (text.trim().length === 0) return { ok: true, value: {} };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return { ok: false, message: `The request body is not valid JSON: ${(err as Error).message}` };
  }
  const problem = shapeProblem(value);
  return problem ? { ok: false, message: problem } : { ok: true, value };
}

/** Walks the value without recursion: too deep, or a key or string that is not well-formed Unicode. */
function shapeProblem(root: unknown): string | null {
  const stack: [unknown, number][] = [[root, 0]];
  while (stack.length > 0) {
    const [value, depth] = stack.pop()!;
    if (typeof value === 'string') {
      if (LONE_SURROGATE.test(value)) return 'The request body has a string with a lone surrogate (\\ud800-\\udfff unpaired): not Unicode text.';
      continue;
    }
    if (typeof value !== 'object' || value === null) continue;
    if (depth >= MAX_JSON_DEPTH) return `The request body is nested deeper than ${MAX_JSON_DEPTH} levels.`;
    if (Array.isArray(value)) {
      for (const item of value) stack.push([item, depth + 1]);
      continue;
    }
    for (const [key, item] of Object.entries(value)) {
      if (LONE_SURROGATE.test(key)) return 'The request body has a key with a lone surrogate (\\ud800-\\udfff unpaired): not Unicode text.';
      stack.push([item, depth + 1]);
    }
  }
  return null;
}
