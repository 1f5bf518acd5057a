/**
 * The D1 storage layout (docs/storage.md explains it). This file is the only source of
 * migrations/: change it, then `npm run db:generate -- --name verb_object`.
 *
 * Resources keep their whole SCIM body in `data` (JSON) and copy the attributes that get
 * filtered, sorted or must be unique into indexed columns; `*_lower` columns carry the
 * case-folded value for attributes whose caseExact is false. Multi-valued attributes
 * (emails, phoneNumbers, …) are mirrored one element per row in `user_values`, so
 * `emails[type eq "work" and value co "@x"]` is an indexed EXISTS over one element.
 */
import { sql } from 'drizzle-orm';
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';

export const users = sqliteTable(
  'users',
  {
    pk: integer('pk').primaryKey({ autoIncrement: true }),
    id: text('id').notNull(),
    userName: text('user_name').notNull(),
    userNameLower: text('user_name_lower').notNull(),
    externalId: text('external_id'),
    displayNameLower: text('display_name_lower'),
    givenNameLower: text('given_name_lower'),
    familyNameLower: text('family_name_lower'),
    active: integer('active', { mode: 'boolean' }),
    created: text('created').notNull(),
    lastModified: text('last_modified').notNull(),
    version: integer('version').notNull().default(1),
    data: text('data').notNull(),
    passwordHash: text('password_hash'),
  },
  (t) => [
    uniqueIndex('users_id_unique').on(t.id),
    uniqueIndex('users_user_name_lower_unique').on(t.userNameLower),
    index('users_external_id_idx').on(t.externalId),
    index('users_display_name_lower_idx').on(t.displayNameLower),
    index('users_given_name_lower_idx').on(t.givenNameLower),
    index('users_family_name_lower_idx').on(t.familyNameLower),
    index('users_created_idx').on(t.created),
    index('users_last_modified_idx').on(t.lastModified),
  ],
);

/** One row per element of a user's multi-valued attribute (emails, phoneNumbers, ims, …). */
export const userValues = sqliteTable(
  'user_values',
  {
    userPk: integer('user_pk')
      .notNull()
      .references(() => users.pk, { onDelete: 'cascade' }),
    attr: text('attr').notNull(),
    type: text('type'),
    value: text('value'),
    valueLower: text('value_lower'),
    display: text('display'),
    primary: integer('primary', { mode: 'boolean' }).notNull().default(false),
  },
  (t) => [
    index('user_values_attr_value_idx').on(t.attr, t.valueLower),
    index('user_values_user_idx').on(t.userPk, t.attr),
  ],
);

export const groups = sqliteTable(
  'groups',
  {
    pk: integer('pk').primaryKey({ autoIncrement: true }),
    id: text('id').notNull(),
    displayName: text('display_name').notNull(),
    displayNameLower: text('display_name_lower').notNull(),
    externalId: text('external_id'),
    created: text('created').notNull(),
    lastModified: text('last_modified').notNull(),
    version: integer('version').notNull().default(1),
    data: text('data').notNull(),
  },
  (t) => [
    uniqueIndex('groups_id_unique').on(t.id),
    index('groups_display_name_lower_idx').on(t.displayNameLower),
    index('groups_external_id_idx').on(t.externalId),
    index('groups_created_idx').on(t.created),
    index('groups_last_modified_idx').on(t.lastModified),
  ],
);

/**
 * Membership as rows, never as a JSON array on the group: adding or removing one member of a
 * 50,000-member group is one indexed INSERT OR IGNORE / DELETE, idempotent by the primary key.
 */
export const groupMembers = sqliteTable(
  'group_members',
  {
    groupPk: integer('group_pk')
      .notNull()
      .references(() => groups.pk, { onDelete: 'cascade' }),
    memberId: text('member_id').notNull(),
    memberType: text('member_type', { enum: ['User', 'Group'] }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.groupPk, t.memberId] }), index('group_members_member_idx').on(t.memberId)],
);

/**
 * The change log: one row per directory write, in the same batch as the write. Provisioning
 * (the outbox) and `meta.lastModified`-based incremental readers build on it.
 */
export const changes = sqliteTable(
  'changes',
  {
    seq: integer('seq').primaryKey({ autoIncrement: true }),
    resourceType: text('resource_type', { enum: ['User', 'Group'] }).notNull(),
    resourceId: text('resource_id').notNull(),
    op: text('op', { enum: ['create', 'update', 'delete'] }).notNull(),
    version: integer('version').notNull(),
    at: text('at').notNull(),
  },
  (t) => [index('changes_resource_idx').on(t.resourceType, t.resourceId)],
);

/** API tokens: only the SHA-256 of the secret is stored. */
export const tokens = sqliteTable(
  'tokens',
  {
    id: text('id').primaryKey(),
    name: text('name').notNull(),
    hash: text('hash').notNull(),
    scopes: text('scopes').notNull(),
    created: text('created').notNull().default(sql`(strftime('%Y-%m-%dT%H:%M:%fZ','now'))`),
    lastUsed: text('last_used'),
    revoked: text('revoked'),
  },
  (t) => [uniqueIndex('tokens_hash_unique').on(t.hash)],
);
