/**
 * What an import reads from a source, whatever its kind: one account in the relay's words, and
 * the failure of a request in words an admin can act on.
 */

export interface RemoteUser {
  /** stable id on the source: Drupal's UUID, a SCIM server's id */
  remoteId: string;
  /** Drupal's drupal_internal__uid (the SCIM id for SCIM sources): what the extension sees on pages */
  uid: string;
  name: string;
  /** undefined: the source did not show it (no permission) — leave the directory's value alone */
  email: string | null | undefined;
  /** undefined: not shown (Drupal hides `status` without administer users) */
  active: boolean | undefined;
  /** role machine names / group names; undefined: not shown */
  roles: string[] | undefined;
  /** the source's change stamp: Drupal `changed` in Unix seconds, SCIM meta.lastModified */
  changed: string | null;
}

export interface RemotePage {
  users: RemoteUser[];
  /** the next page's URL, absent on the last page */
  next: string | null;
  /** resources the account may not read: label-only objects, meta.omitted entries */
  hidden: number;
}

/**
 * A request to the source failed. `fatal` failures (credentials refused, JSON:API off) pause
 * the source until an admin fixes them; the others are retried at the next cron.
 */
export class SourceError extends Error {
  readonly status: number | null;
  readonly fatal: boolean;
  constructor(message: string, status: number | null, fatal: boolean) {
    super(message);
    this.status = status;
    this.fatal = fatal;
  }
}

/** Counts the source's requests against the invocation's budget. */
export interface RequestMeter {
  requests: number;
}
