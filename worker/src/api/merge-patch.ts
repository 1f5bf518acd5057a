/**
 * PATCH on targets and sources is a JSON merge patch (RFC 7396): an object in the patch merges
 * into the stored one member by member, `null` removes a member (a member with a default gets
 * its default back), anything else — arrays included — replaces. The merged document is
 * validated whole with the update schema, so an issue names its key path in the stored shape,
 * which is the patch's shape too.
 *
 * Write-only members (a token, credentials) are not part of the stored document: a patch
 * replaces them as a whole, and cannot remove them.
 */
import { z } from 'zod';
import { toIssues, type ApiIssue } from './validate';

type JsonObject = Record<string, unknown>;

const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * RFC 7396 §2 MergePatch. Keys are defined as own properties, so a key like "__proto__" stays
 * a key (and the strict schema then refuses it by name). Depth is bounded by readJsonBody.
 */
export function applyMergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return patch;
  const result: JsonObject = {};
  if (isObject(target)) for (const [k, v] of Object.entries(target)) define(result, k, v);
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete result[k];
    else define(result, k, applyMergePatch(Object.hasOwn(result, k) ? result[k] : undefined, v));
  }
  return result;
}

function define(o: JsonObject, key: string, value: unknown): void {
  Object.defineProperty(o, key, { value, enumerable: true, writable: true, configurable: true });
}

/** The stored resource as a merge-patch document: the schema's members it has, nulls and write-only members left out. */
export function documentOf(schema: z.ZodObject, resource: object, writeOnly: readonly string[] = []): JsonObject {
  const doc: JsonObject = {};
  for (const key of Object.keys(schema.shape)) {
    const value = (resource as JsonObject)[key];
    if (value !== null && value !== undefined && !writeOnly.includes(key)) doc[key] = value;
  }
  return doc;
}

export type MergeResult<T> = { ok: true; value: T } | { ok: false; issues: ApiIssue[] };

/**
 * Merges `patch` into `doc` and validates the result with `schema` (a strict object of optional
 * members). Answers only the members the patch touched, ready for a partial update: a member
 * the patch leaves out is not rewritten, and a top-level `null` yields the member's default or,
 * where it has none (a name, a token), an issue.
 */
export function mergeAndValidate<S extends z.ZodObject>(schema: S, doc: JsonObject, patch: JsonObject): MergeResult<Partial<z.output<S>>> {
  const issues: ApiIssue[] = [];
  const defaults: JsonObject = {};
  for (const [key, value] of Object.entries(patch)) {
    const member = schema.shape[key] as z.ZodType | undefined;
    if (value !== null || !member) continue;
    const fallback = (member instanceof z.ZodOptional ? (member.unwrap() as z.ZodType) : member).safeParse(undefined);
    if (fallback.success && fallback.data !== undefined) defaults[key] = fallback.data;
    else issues.push({ path: key, message: 'cannot be removed (null): send a value instead' });
  }
  const parsed = schema.safeParse(applyMergePatch(doc, patch));
  if (!parsed.success) issues.push(...toIssues(parsed.error));
  if (issues.length > 0) return { ok: false, issues };
  const merged = parsed.data as JsonObject;
  const touched: JsonObject = {};
  for (const key of Object.keys(patch)) touched[key] = Object.hasOwn(defaults, key) ? defaults[key] : merged[key];
  return { ok: true, value: touched as Partial<z.output<S>> };
}
