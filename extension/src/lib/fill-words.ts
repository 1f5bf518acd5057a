/**
 * How full the relay's database is, in words for the console's banner and the popup's line
 * (GET /api/v1/health; the thresholds are the relay's, worker/src/limits/d1-size.ts). The relay's
 * own `warning` says what happens at the full threshold and what to do; these are the headline
 * above it and the popup's one line.
 */
import { type Health, megabytes } from '../../../shared/src/api';

export type DatabaseFill = Health['database'];

const sizes = (fill: DatabaseFill) => `${megabytes(fill.bytes ?? 0)} of ${megabytes(fill.limitBytes)}`;

/** The banner's first line; the relay's warning under it gives the sizes, what happens and what to do. */
export const fillHeadline = (fill: DatabaseFill): string => (fill.level === 'full' ? "The relay's database is full." : "The relay's database is filling up.");

/** The popup's line when the relay is full: what the admin can and cannot do from the popup. */
export function fullLine(fill: DatabaseFill): string {
  return `The relay's database is full (${sizes(fill)}): users it does not hold yet can't be imported or added; provisioning those it holds still works. The console says how to make room.`;
}
