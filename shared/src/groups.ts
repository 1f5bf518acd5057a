/**
 * Directory groups as the admin API lists them (GET /api/v1/groups): what the console's scope
 * editor picks from when a target provisions "members of groups" (issue #13).
 */
import { z } from 'zod';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from './api';

export const groupSearchQuerySchema = z.strictObject({
  /** a prefix of the displayName (case-insensitive), or an exact id or externalId */
  q: z.string().trim().min(1).max(512).optional(),
  limit: z.coerce.number().int().min(1).max(MAX_PAGE_SIZE).default(DEFAULT_PAGE_SIZE),
});
export type GroupSearch = z.infer<typeof groupSearchQuerySchema>;

export const groupSummarySchema = z.object({
  id: z.string(),
  displayName: z.string(),
  externalId: z.string().nullable(),
  /** direct members, users and groups */
  members: z.number().int(),
});
export type GroupSummary = z.infer<typeof groupSummarySchema>;

export const groupListSchema = z.object({ items: z.array(groupSummarySchema) });
