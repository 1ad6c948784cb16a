// Options shared by attachTicketKeys and serveClusterTicketKeys.
import { checkInteger, invalid } from '../tls/validate.js';

/**
 * Default rotation period: 12 hours. Node holds one ticket key, so a rotation refuses every
 * ticket issued before it: with sessions living L seconds (Node's default 300) about L / (2 × P)
 * of resumptions are lost over a period P, 0.35 % at 12 h; a day is the usual ceiling for
 * forward secrecy of tickets.
 */
export const DEFAULT_ROTATE_SECONDS = 12 * 3600;
/** Longest period accepted: 7 days (setTimeout's limit is 24.8 days). */
export const MAX_ROTATE_SECONDS = 7 * 86_400;

/** The rotation period, checked, with its default. */
export function rotateSecondsOf(fn: string, value: unknown): number {
  checkInteger(fn, value, 'options.rotateSeconds', 1, MAX_ROTATE_SECONDS);
  return (value as number | undefined) ?? DEFAULT_ROTATE_SECONDS;
}

/** The clock, checked, with its default. */
export function clockOf(fn: string, value: unknown): () => number {
  if (value === undefined) return Date.now;
  if (typeof value !== 'function') invalid(fn, 'options.clock must be a function returning milliseconds');
  return value as () => number;
}
