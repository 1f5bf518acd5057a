/**
 * The SCIM filter and PATCH path grammar (RFC 7644 §3.4.2.2 and §3.5.2, Figure 1) as data.
 * The parser produces these; the SQL compiler, the in-memory matcher (PATCH value paths) and the
 * projection all consume them. Names are kept as the client wrote them: resolution against the
 * attribute registry (case-insensitive, URN-qualified) happens in the consumers.
 */
export type CompareOp = 'eq' | 'ne' | 'co' | 'sw' | 'ew' | 'gt' | 'ge' | 'lt' | 'le';

export type FilterValue = string | number | boolean | null;

/** `urn:…:User:name.familyName` → { uri: 'urn:…:User', attr: 'name', sub: 'familyName' } */
export interface AttrPath {
  uri?: string;
  attr: string;
  sub?: string;
}

export type Filter =
  | { kind: 'compare'; path: AttrPath; op: CompareOp; value: FilterValue }
  | { kind: 'present'; path: AttrPath }
  | { kind: 'and'; left: Filter; right: Filter }
  | { kind: 'or'; left: Filter; right: Filter }
  | { kind: 'not'; filter: Filter }
  /**
   * `emails[type eq "work" and value co "@x"]`: the inner filter's paths are relative to one
   * element of the multi-valued attribute (their `attr` is the sub-attribute name). The common
   * non-ABNF form `emails[type eq "work"].value eq "x"` parses to the same node with the trailing
   * comparison and-ed into the inner filter, so both mean "the same element".
   */
  | { kind: 'valuePath'; path: AttrPath; filter: Filter };

/** A PATCH operation's `path`: `attrPath` or `valuePath [ "." subAttr ]` (RFC 7644 §3.5.2). */
export interface PatchPath {
  path: AttrPath;
  /** the bracketed filter selecting elements of a multi-valued attribute */
  filter?: Filter;
  /** the sub-attribute after the bracket: `emails[type eq "work"].value` */
  subAttr?: string;
}
