/**
 * The PATCH operation `path` parser (RFC 7644 §3.5.2):
 *
 *   PATH = attrPath / valuePath [subAttr]
 *
 * `userName`, `name.familyName`, `emails[type eq "work"]`, `emails[type eq "work"].value`,
 * `urn:…:enterprise:2.0:User:manager.value`. The bracketed filter is the filter grammar
 * (parse-filter.ts), parsed by the same code but failing with 400 `invalidPath`.
 *
 * Quirk `bareExtensionUrnPath`: a path that is only a schema URN
 * (`urn:ietf:params:scim:schemas:extension:enterprise:2.0:User`) names the whole extension
 * object and comes back as `{ path: { uri: <URN>, attr: '' } }`. Callers should pass the resource
 * type's schema URNs as `schemaUris` so the URN is recognised exactly; without them the parser
 * falls back to the URN's shape (`…:<version>:<Name>`, see parse-attr-path.ts).
 */
import type { PatchPath } from './ast';
import { createCursor } from './cursor';
import { isAttrName, parseAttrPath } from './parse-attr-path';
import { expectEnd, parseBracketFilter } from './parse-filter';
import { describeToken } from './tokenize';

export interface PatchPathOptions {
  /** the schema URNs of the resource type being patched (core and extensions) */
  schemaUris?: readonly string[];
}

/** Parses a PATCH operation's `path`; throws 400 invalidPath. */
export function parsePatchPath(input: string, opts: PatchPathOptions = {}): PatchPath {
  const c = createCursor(input, 'invalidPath');
  const first = c.next();
  if (first.kind === 'end') return c.fail('the path is empty', 0);
  if (first.kind !== 'word') return c.fail(`expected an attribute name but found ${describeToken(first)}`, first.pos);
  const schemaUris = opts.schemaUris ?? [];
  const path = parseAttrPath(first.text, first.pos, c.fail, { allowBareUri: true, schemaUris });
  if (c.peek().kind !== '[') {
    expectEnd(c, 'the end of the path');
    return { path };
  }
  if (path.attr === '') c.fail(`the schema URI "${path.uri}" cannot take a filter`, c.peek().pos);
  const filter = parseBracketFilter(c, path);
  const after = c.peek();
  if (after.kind !== 'word' || !after.text.startsWith('.')) {
    expectEnd(c, "'.' and a sub-attribute, or the end of the path");
    return { path, filter };
  }
  c.next();
  const subAttr = after.text.slice(1);
  if (!isAttrName(subAttr)) c.fail(`invalid sub-attribute name "${subAttr}"`, after.pos + 1);
  expectEnd(c, 'the end of the path');
  return { path, filter, subAttr };
}
