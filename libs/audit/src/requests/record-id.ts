import { randomHex } from '@app/common';

const DASH = 0x2d;
const VERSION_4 = 0x34;
/** The hex digits 8, 9, a, b: a UUID's variant bits (10) over two random bits. */
const VARIANT_DIGITS = [0x38, 0x39, 0x61, 0x62];
/** A UUID's text, written over by each call (JavaScript is single-threaded; the string returned is a copy). */
const text = Buffer.alloc(36);

/**
 * A random (version 4) UUID for an evidence record (the `id` column is a Postgres `uuid`), from the pooled
 * random bytes of `randomHex`. `randomUUID()` builds its text from some twenty string pieces, about 0.6 KB
 * of allocation per record; this writes the digits and dashes in place and makes one string of them.
 */
export function recordId(): string {
  const hex = randomHex(16);
  let at = 0;
  for (let i = 0; i < 32; i++) {
    if (i === 8 || i === 12 || i === 16 || i === 20) text[at++] = DASH;
    text[at++] = hex.charCodeAt(i);
  }
  text[14] = VERSION_4;
  text[19] = VARIANT_DIGITS[hexValue(text[19]) & 3];
  return text.toString('latin1', 0, 36);
}

function hexValue(digit: number): number {
  return digit <= 0x39 ? digit - 0x30 : digit - 0x57;
}
