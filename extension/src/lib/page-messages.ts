/**
 * Messages between the content scripts on admin pages and the background, and the popup's
 * `page:current-user` question to a tab. The background parses every message on arrival and
 * the sender parses every answer: pages never see the relay token, only these views.
 */
import { z } from 'zod';
import { browser } from 'wxt/browser';
import { auditEventSchema, lookupResponseSchema, userSummarySchema } from '../../../shared/src/api';
import { linkSchema, provisionResultSchema } from '../../../shared/src/provisioning';
import { overrideSchema } from '../../../shared/src/scope';
import { cmsSchema, pageUserStatusSchema, uidSchema } from '../adapters/page-adapter';

/* ───────────── content script → background ───────────── */

const site = z.string().url().max(2048);
const uids = z.array(uidSchema).min(1).max(500);
const hint = z.object({ userName: z.string().min(1).max(512).optional(), email: z.string().min(1).max(512).optional() });
/**
 * Names and emails the page shows, per uid: used only when the site is not a configured source
 * (see page-service.ts), and sent only for an admin's action (a trusted click on Provision or
 * "Match by name/email"), never on page load: the page controls them, and could otherwise make the
 * extension look up any directory user.
 */
const hints = z.record(uidSchema, hint).default({});
export type UserHint = z.infer<typeof hint>;

export const pageMessageSchema = z.discriminatedUnion('type', [
  /** Status of every row of a People page, in one relay call. */
  z.object({
    type: z.literal('page:lookup'),
    site,
    uids,
    hints,
  }),
  /** Provision these users (by uid) now; users the relay does not know yet are re-imported first when the site is a source. */
  z.object({ type: z.literal('page:provision'), site, uids, hints, targetIds: z.array(z.string().min(1)).max(50).optional() }),
  /** Everything the user panel shows for one user. */
  z.object({ type: z.literal('page:user-status'), site, uid: uidSchema, hint: hint.default({}) }),
  /** The admin submitted this user's edit form (a trusted submit, overlay/admin-input.ts): the background notes it for this tab. */
  z.object({ type: z.literal('page:user-submitted'), site, uid: uidSchema }),
  /** Whether this tab has a fresh submit noted for this user (the panel says "re-importing…" at once). */
  z.object({ type: z.literal('page:save-pending'), site, uid: uidSchema }),
  /** The page after the post loaded: if this tab's note matches, re-import from the source site, then provision. */
  z.object({ type: z.literal('page:user-saved'), site, uid: uidSchema }),
  /** The banner's Resume (a trusted click): resume a paused target. */
  z.object({ type: z.literal('page:resume-target'), site, targetId: z.string().min(1).max(200) }),
  /**
   * The user panel's override (a trusted change, issue #13): "always" / "never" provision this
   * user to a target, or null to follow its scope. The background resolves the uid to the user
   * itself, as for page:user-status: the page names no directory user.
   */
  z.object({
    type: z.literal('page:set-override'),
    site,
    uid: uidSchema,
    hint: hint.default({}),
    targetId: z.string().min(1).max(200),
    override: overrideSchema.nullable(),
  }),
  /** The banner's Review: open the console's Held tab, where held creations and deletions are approved. */
  z.object({ type: z.literal('page:open-console'), site }),
]);
export type PageMessage = z.infer<typeof pageMessageSchema>;

/** A failure the overlay shows as it is: every relay or setup problem has a name. */
export const pageErrorSchema = z.object({
  ok: z.literal(false),
  code: z.enum(['not_configured', 'site_not_connected', 'unreachable', 'unauthorized', 'forbidden', 'not_found', 'http', 'bad_response', 'bad_request']),
  error: z.string(),
});
export type PageError = z.infer<typeof pageErrorSchema>;

/** The relay's own lookup answer parts, taken from shared/ rather than declared a second time. */
export const siteRoleSchema = lookupResponseSchema.shape.site;
export type SiteRole = z.infer<typeof siteRoleSchema>;

export const targetRefSchema = lookupResponseSchema.shape.targets.element;

export const rowStatusSchema = z.object({
  userId: z.string(),
  userName: z.string(),
  /** How the relay user was found: by the site's uid (source or target link) or by name/email (a guess). */
  matchedBy: z.enum(['uid', 'userName', 'email']),
  links: z.array(linkSchema),
});
export type RowStatus = z.infer<typeof rowStatusSchema>;

export const lookupViewSchema = z.object({
  ok: z.literal(true),
  targets: z.array(targetRefSchema),
  /** What the relay knows this site as; null when the relay predates per-site lookups. */
  site: siteRoleSchema.nullable(),
  /** Each asked uid → its relay user and link states, or null when the relay has no such user. */
  users: z.record(z.string(), rowStatusSchema.nullable()),
});
export type LookupView = z.infer<typeof lookupViewSchema>;

export const userOutcomeSchema = z.object({
  uid: z.string(),
  ok: z.boolean(),
  userId: z.string().nullable(),
  /** Why nothing could be sent (unknown user, import failed, relay error) — per-target failures are in results. */
  error: z.string().nullable(),
  imported: z.boolean(),
  results: z.array(provisionResultSchema),
});
export type UserOutcome = z.infer<typeof userOutcomeSchema>;

export const provisionViewSchema = z.object({ ok: z.literal(true), outcomes: z.array(userOutcomeSchema) });
export type ProvisionView = z.infer<typeof provisionViewSchema>;

export const traceSchema = z.object({ at: z.string(), results: z.array(provisionResultSchema) });
export type Trace = z.infer<typeof traceSchema>;

export const userStatusViewSchema = z.object({
  ok: z.literal(true),
  site: siteRoleSchema.nullable(),
  /** null: the relay has no user for this uid. */
  user: userSummarySchema.nullable(),
  matchedBy: z.enum(['uid', 'userName', 'email']).nullable(),
  links: z.array(linkSchema),
  events: z.array(auditEventSchema),
  /** The step trace of the last provisioning started from this browser, if any. */
  lastTrace: traceSchema.nullable(),
});
export type UserStatusView = z.infer<typeof userStatusViewSchema>;

export const savedViewSchema = z.object({
  ok: z.literal(true),
  /**
   * 'not_source': the site is no configured source, so there was nothing to re-import;
   * 'no_save': this tab has no submit of this user's form noted (background/saved-forms.ts), so nothing was done.
   */
  outcome: z.enum(['provisioned', 'not_source', 'no_save']),
  result: userOutcomeSchema.nullable(),
});
export type SavedView = z.infer<typeof savedViewSchema>;

export const noteViewSchema = z.object({ ok: z.literal(true) });
export const pendingViewSchema = z.object({ ok: z.literal(true), pending: z.boolean() });

export interface PageResponses {
  'page:lookup': LookupView | PageError;
  'page:provision': ProvisionView | PageError;
  'page:user-status': UserStatusView | PageError;
  'page:user-submitted': z.infer<typeof noteViewSchema> | PageError;
  'page:save-pending': z.infer<typeof pendingViewSchema> | PageError;
  'page:user-saved': SavedView | PageError;
  'page:resume-target': z.infer<typeof noteViewSchema> | PageError;
  'page:set-override': z.infer<typeof noteViewSchema> | PageError;
  'page:open-console': z.infer<typeof noteViewSchema> | PageError;
}

const responseSchemas: { [K in keyof PageResponses]: z.ZodType<PageResponses[K]> } = {
  'page:lookup': z.union([lookupViewSchema, pageErrorSchema]),
  'page:provision': z.union([provisionViewSchema, pageErrorSchema]),
  'page:user-status': z.union([userStatusViewSchema, pageErrorSchema]),
  'page:user-submitted': z.union([noteViewSchema, pageErrorSchema]),
  'page:save-pending': z.union([pendingViewSchema, pageErrorSchema]),
  'page:user-saved': z.union([savedViewSchema, pageErrorSchema]),
  'page:resume-target': z.union([noteViewSchema, pageErrorSchema]),
  'page:set-override': z.union([noteViewSchema, pageErrorSchema]),
  'page:open-console': z.union([noteViewSchema, pageErrorSchema]),
};

/** Sends a page message to the background and parses the answer; a lost answer becomes an error the overlay shows. */
export async function sendPageMessage<K extends PageMessage['type']>(message: Extract<PageMessage, { type: K }>): Promise<PageResponses[K]> {
  let response: unknown;
  try {
    response = await browser.runtime.sendMessage(message);
  } catch {
    return { ok: false, code: 'unreachable', error: 'The extension background did not answer (reload the page).' } as PageResponses[K];
  }
  const parsed = responseSchemas[message.type].safeParse(response);
  if (parsed.success) return parsed.data;
  return { ok: false, code: 'bad_response', error: 'The extension background sent an answer this page could not read.' } as PageResponses[K];
}

/* ───────────── popup → content script ───────────── */

export const currentUserRequestSchema = z.object({ type: z.literal('page:current-user') });

/** The user the active tab shows, or null on any other page (a People list, a page no adapter knows). */
export const currentUserResponseSchema = z
  .object({
    site: z.string(),
    cms: cmsSchema,
    uid: uidSchema,
    name: z.string(),
    mail: z.string().optional(),
    status: pageUserStatusSchema.optional(),
    displayName: z.string().optional(),
  })
  .nullable();
export type CurrentUserResponse = z.infer<typeof currentUserResponseSchema>;
