import { GatewayError } from '@app/common';

export const CALLER_TAGS_HEADER = 'x-switchyard-tags';

const MAX_TAGS = 10;
const TAG_KEY = /^[A-Za-z0-9_.-]{1,64}$/;
const TAG_VALUE = /^[\x20-\x2b\x2d-\x7e]{1,128}$/; // printable ASCII except the comma

/**
 * Caller tags, `x-switchyard-tags: feature=checkout,job=nightly-42`, kept on the request's record for
 * reports. A malformed header is refused with a 400 naming the problem, rather than silently losing tags.
 */
export function parseCallerTags(header: string | string[] | undefined): Record<string, string> | undefined {
  const text = Array.isArray(header) ? header.join(',') : header;
  if (text === undefined || text.trim() === '') return undefined;
  const tags = new Map<string, string>();
  const pairs = text.split(',');
  if (pairs.length > MAX_TAGS) throw invalidTags(`at most ${MAX_TAGS} tags`);
  for (const pair of pairs) {
    const separator = pair.indexOf('=');
    const key = pair.slice(0, Math.max(separator, 0)).trim();
    const value = pair.slice(separator + 1).trim();
    if (separator < 0 || !TAG_KEY.test(key)) {
      throw invalidTags(
        `"${pair.trim().slice(0, 64)}" is not key=value with a key of 1-64 letters, digits, "_", "." or "-"`,
      );
    }
    if (!TAG_VALUE.test(value))
      throw invalidTags(`the value of "${key}" must be 1-128 printable ASCII characters without commas`);
    if (tags.has(key)) throw invalidTags(`"${key}" appears twice`);
    tags.set(key, value);
  }
  return Object.fromEntries(tags);
}

function invalidTags(problem: string): GatewayError {
  return new GatewayError('invalid_request_error', `${CALLER_TAGS_HEADER}: ${problem}.`, { param: CALLER_TAGS_HEADER });
}
