import { maskPansInText } from '../security/pan';

const JWT = /\beyJ[\w-]{5,}\.[\w-]{5,}\.[\w-]*/g;
const BEARER = /\b(Bearer)\s+[^\s"',]+/gi;
// Greedy to the last '@' of the token, so a password holding a raw '@' is hidden whole.
const URL_PASSWORD = /(\b[a-z][a-z0-9+]*:\/\/[^:/@\s]*:)\S*@/gi;

/** Removes what must never reach a log line: tokens, URL passwords, full PANs. */
export function scrubText(text: string): string {
  return maskPansInText(text.replace(JWT, '[redacted-token]').replace(BEARER, '$1 [redacted]').replace(URL_PASSWORD, '$1***@'));
}

/** Scrubs the strings of a log record a few levels deep; objects deeper than that are rare in logs. */
export function scrubValue(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return scrubText(value);
  // An Error's message and stack are not enumerable: copy them out before scrubbing.
  // A database error carries the statement's bound values (hashes, emails, PANs): they stay out.
  if (value instanceof Error) {
    const { name, message, stack, parameters: _parameters, driverError: _driverError, ...rest } = value as Error & Record<string, unknown>;
    return scrubValue({ type: name, message, stack, ...rest }, depth);
  }
  if (depth > 3 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((item) => scrubValue(item, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) out[key] = scrubValue(item, depth + 1);
  return out;
}
