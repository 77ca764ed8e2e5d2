import { createHash, randomBytes } from 'node:crypto';
import { crc32 } from 'node:zlib';
import type { Environment } from '@app/common';

/**
 * Key layout: `sy-<kind>-<32 random base62 chars><6 char checksum>`, e.g. `sy-prod-…`.
 * 32 base62 characters carry 190 random bits. The CRC-32 checksum lets a typo or a truncated paste be
 * rejected before any database lookup, and lets secret scanners recognise our keys.
 */
export type KeyKind = 'test' | 'stg' | 'prod' | 'admin';

const KIND_BY_ENVIRONMENT: Record<Environment, KeyKind> = { test: 'test', staging: 'stg', production: 'prod' };
const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const RANDOM_LENGTH = 32;
const CHECKSUM_LENGTH = 6;
const KEY_PATTERN = /^sy-(test|stg|prod|admin)-([0-9A-Za-z]{32})([0-9A-Za-z]{6})$/;

export interface GeneratedKey {
  key: string;
  hash: string;
  /** `sy-prod-AbCd`: the kind plus four random characters, enough to tell keys apart on screen. */
  prefix: string;
  last4: string;
}

export function kindForEnvironment(environment: Environment): KeyKind {
  return KIND_BY_ENVIRONMENT[environment];
}

export function generateKey(kind: KeyKind): GeneratedKey {
  const head = `sy-${kind}-${randomBase62(RANDOM_LENGTH)}`;
  const key = head + checksum(head);
  return { key, hash: hashKey(key), prefix: key.slice(0, head.length - RANDOM_LENGTH + 4), last4: key.slice(-4) };
}

/** True when the string has our layout and a matching checksum; says nothing about whether it exists. */
export function isWellFormedKey(key: string): boolean {
  const match = KEY_PATTERN.exec(key);
  return match !== null && checksum(`sy-${match[1]}-${match[2]}`) === match[3];
}

export function hashKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

export function maskKey(prefix: string, last4: string): string {
  return `${prefix}…${last4}`;
}

function checksum(text: string): string {
  let value = crc32(text);
  let out = '';
  for (let i = 0; i < CHECKSUM_LENGTH; i++) {
    out = BASE62[value % 62] + out;
    value = Math.floor(value / 62);
  }
  return out;
}

function randomBase62(length: number): string {
  let out = '';
  while (out.length < length) {
    for (const byte of randomBytes(length * 2)) {
      // 248 = 4 × 62: rejecting larger bytes keeps every character equally likely.
      if (byte < 248 && out.length < length) out += BASE62[byte % 62];
    }
  }
  return out;
}
