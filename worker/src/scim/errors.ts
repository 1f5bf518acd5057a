/**
 * SCIM errors (RFC 7644 §3.12). Every expected failure of the SCIM surface is a ScimError: it
 * carries its own HTTP status and `scimType`, and the app's error handler renders it as a SCIM
 * Error body. Anything else is a bug and becomes a bare 500 plus a log line.
 */
export const SCIM_ERROR_URN = 'urn:ietf:params:scim:api:messages:2.0:Error';

/** RFC 7644 §3.12 Table 9, plus the 4xx statuses that carry no scimType. */
export type ScimType =
  | 'invalidFilter'
  | 'tooMany'
  | 'uniqueness'
  | 'mutability'
  | 'invalidSyntax'
  | 'invalidPath'
  | 'noTarget'
  | 'invalidValue'
  | 'invalidVers'
  | 'sensitive'
  // RFC 9865 §2.3: cursor pagination errors
  | 'invalidCursor'
  | 'expiredCursor'
  | 'invalidCount';

export class ScimError extends Error {
  readonly status: number;
  readonly scimType: ScimType | undefined;
  /** response headers the status needs (Retry-After on 503, Allow on 405) */
  readonly headers: Record<string, string>;

  constructor(status: number, detail: string, scimType?: ScimType, headers: Record<string, string> = {}) {
    super(detail);
    this.name = 'ScimError';
    this.status = status;
    this.scimType = scimType;
    this.headers = headers;
  }

  toJSON(): Record<string, unknown> {
    return {
      schemas: [SCIM_ERROR_URN],
      status: String(this.status),
      ...(this.scimType ? { scimType: this.scimType } : {}),
      detail: this.message,
    };
  }
}

export const badRequest = (scimType: ScimType, detail: string) => new ScimError(400, detail, scimType);
export const notFound = (detail: string) => new ScimError(404, detail);
export const conflict = (detail: string) => new ScimError(409, detail, 'uniqueness');
