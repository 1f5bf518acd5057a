/** The attribute registry's vocabulary (RFC 7643 §2, §7). */
export type AttrType = 'string' | 'boolean' | 'decimal' | 'integer' | 'dateTime' | 'reference' | 'complex' | 'binary';
export type Mutability = 'readOnly' | 'readWrite' | 'immutable' | 'writeOnly';
export type Returned = 'always' | 'never' | 'default' | 'request';
export type Uniqueness = 'none' | 'server' | 'global';

/**
 * Where the filter compiler and the sorter find an attribute in D1. Anything without a storage
 * hint is read from the resource's JSON body with json_extract (still SQL, never a scan in JS).
 */
export type Storage =
  /** a column of the resource's own table; `lower` means it holds the case-folded value */
  | { kind: 'column'; column: string; lower?: boolean }
  /** one row per element in user_values (attr = the attribute's name) */
  | { kind: 'values'; attr: string }
  /** Group.members: rows of group_members */
  | { kind: 'members' }
  /** User.groups: group_members rows whose member_id is this user */
  | { kind: 'memberOf' };

export interface AttributeDef {
  name: string;
  type: AttrType;
  multiValued: boolean;
  description: string;
  required: boolean;
  caseExact: boolean;
  mutability: Mutability;
  returned: Returned;
  uniqueness: Uniqueness;
  canonicalValues?: string[];
  referenceTypes?: string[];
  subAttributes?: AttributeDef[];
  storage?: Storage;
}

export interface SchemaDef {
  id: string;
  name: string;
  description: string;
  attributes: AttributeDef[];
}

export type ResourceTypeName = 'User' | 'Group';

export interface ResourceTypeDef {
  name: ResourceTypeName;
  endpoint: string;
  description: string;
  schema: SchemaDef;
  extensions: { schema: SchemaDef; required: boolean }[];
  table: 'users' | 'groups';
}
