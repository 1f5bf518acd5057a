/**
 * A user as an admin page shows it (a CMS's People page or user page), sent by the extension's
 * popup to create or update the directory user of that userName. The same value previews as
 * the SCIM User it becomes, so the admin sees what will be sent before anything is written.
 */
import { z } from 'zod';

export const SCIM_CORE_USER_URN = 'urn:ietf:params:scim:schemas:core:2.0:User';

export const pageUserSchema = z.object({
  userName: z.string().trim().min(1).max(512),
  email: z.string().trim().email().max(512).optional(),
  active: z.boolean().optional(),
  name: z
    .object({
      givenName: z.string().trim().min(1).max(512).optional(),
      familyName: z.string().trim().min(1).max(512).optional(),
    })
    .optional(),
  displayName: z.string().trim().min(1).max(512).optional(),
});
export type PageUser = z.infer<typeof pageUserSchema>;

export type ScimUserBody = Record<string, unknown>;

/**
 * The SCIM User body for a page user: only the attributes the page gave, so an update never
 * clears what an IdP or an import set (an absent email leaves the stored emails alone).
 */
export function pageUserToScim(user: PageUser): ScimUserBody {
  const body: ScimUserBody = { schemas: [SCIM_CORE_USER_URN], userName: user.userName };
  if (user.email !== undefined) body.emails = [{ value: user.email, type: 'work', primary: true }];
  if (user.active !== undefined) body.active = user.active;
  const name = user.name && Object.fromEntries(Object.entries(user.name).filter(([, v]) => v !== undefined));
  if (name && Object.keys(name).length > 0) body.name = name;
  if (user.displayName !== undefined) body.displayName = user.displayName;
  return body;
}
