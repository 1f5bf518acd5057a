/** What the directory stores and returns; the SCIM layer turns these into SCIM resources. */
export type ResourceKind = 'User' | 'Group';

export interface StoredResource {
  pk: number;
  id: string;
  version: number;
  created: string;
  lastModified: string;
  /** the resource's attributes as JSON text (core at the top level, extensions under their URN) */
  data: string;
  /** users read with their groups: JSON array of { id, display } (reads only, not writes) */
  groupsJson?: string;
  /** groups read with their members: JSON array of MemberRef; null when the group is too large to inline */
  membersJson?: string | null;
}

/** One element of a multi-valued attribute, mirrored into user_values for indexed filters. */
export interface ValueRow {
  attr: string;
  type: string | null;
  value: string | null;
  display: string | null;
  primary: boolean;
}

/**
 * A sub-attribute written into the elements of a multi-valued attribute that `type eq "…"`
 * selects (a PATCH planned from the request alone, one-trip-patch.ts), as SQL over the stored JSON.
 */
export interface ElementWrite {
  /** the attribute's key in the stored JSON (`emails`) */
  attr: string;
  /** its sub-attributes in the order they are stored: a matched element is rebuilt in it */
  subs: readonly string[];
  /** the filter's value, case-folded by the SCIM layer (SQLite's lower() folds ASCII only) */
  type: string;
  sub: string;
  /** the new value as JSON text */
  value: string;
  /** add: the element (JSON text) appended when none matches; without it, no match refuses the batch */
  append?: string;
  /**
   * For attributes mirrored in user_values: the columns of the matched elements' rows that
   * change, and the row of the appended element.
   */
  rows?: { attr: string; set: Partial<Pick<ValueRow, 'type' | 'value' | 'display'>>; append?: ValueRow };
}

/**
 * An element added to a multi-valued attribute without a filter (`{"op":"add","path":"emails",
 * "value":[…]}`), appended in SQL unless a stored element contains it already (RFC 7644 §3.5.2.1).
 */
export interface AppendWrite {
  attr: string;
  /** the element as JSON text, as the engine stores it */
  element: string;
  /** a stored element contains it when each of these keys holds an equal value: text folded where `folded`, booleans as they are */
  equal: readonly { key: string; value: string | boolean; folded: boolean }[];
  /** `primary: true`: appending it takes the flag off the other elements (RFC 7643 §2.4) */
  primary: boolean;
  /** for attributes mirrored in user_values: its row */
  row?: ValueRow;
}

/**
 * The elements of a multi-valued attribute that `value eq "…"` or `type eq "…"` selects, removed
 * (`{"op":"remove","path":"emails[value eq \"a@x\"]"}`, RFC 7644 §3.5.2.2), in SQL.
 */
export interface ElementRemove {
  attr: string;
  /** the sub-attribute the filter compares */
  key: string;
  /** the filter's value, folded by the SCIM layer where `folded` */
  value: string;
  folded: boolean;
  /** for attributes mirrored in user_values: the row column holding the compared value as the filter does */
  rows?: { attr: string; column: 'value' | 'value_lower' | 'type' };
}

/**
 * A single-valued complex attribute unassigned when one of its sub-attributes equals a value:
 * Entra ID's `{"op":"remove","path":"manager[value eq \"<id>\"]"}`, in SQL.
 */
export interface ConditionalUnset {
  /** the attribute's keys in the stored JSON (`[urn, "manager"]`) */
  at: readonly string[];
  key: string;
  /** the filter's value, folded by the SCIM layer where `folded` */
  value: string;
  folded: boolean;
}

/** The order of a stored body's keys: what the registry's schema emits (directory/json-order.ts). */
export interface KeyOrder {
  key: string;
  /** a single-valued complex attribute's (or an extension's) own keys */
  keys?: readonly KeyOrder[];
}

/** Indexed column values derived from the resource by the SCIM layer's registry. */
export type ColumnValues = Record<string, string | number | boolean | null>;

export interface ResourceWrite {
  data: string;
  columns: ColumnValues;
  /** users only */
  values?: ValueRow[];
}

export interface MemberRef {
  id: string;
  type: ResourceKind;
  display: string | null;
}

/** A compiled WHERE / ORDER BY fragment with its bound parameters. */
export interface SqlFragment {
  sql: string;
  params: unknown[];
}

export interface ListQuery {
  where: SqlFragment;
  orderBy: SqlFragment;
  limit: number;
  offset: number;
  /** keyset condition for cursor paging, and-ed to where */
  after?: SqlFragment;
  withTotal: boolean;
}

export class DirectoryError extends Error {
  constructor(
    readonly code: 'conflict' | 'not_found' | 'version_mismatch' | 'invalid_member' | 'needs_read',
    message: string,
  ) {
    super(message);
  }
}
