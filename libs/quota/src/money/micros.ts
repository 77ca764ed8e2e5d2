import { isMicroUsdAmount } from '@app/common';

/**
 * Money is integer micro-USD (1 USD = 1 000 000) held as bigint: no float ever touches a balance.
 * USD amounts enter as decimal text or JSON numbers with at most six decimals and are converted exactly.
 */
const MICROS_PER_USD = 1_000_000n;
const DECIMAL_USD = /^(\d+)(?:\.(\d{1,6}))?$/;

export function usdToMicros(value: string | number): bigint {
  if (typeof value === 'number') {
    if (!isMicroUsdAmount(value)) throw new RangeError(`${value} is not a USD amount with at most 6 decimals`);
    return BigInt(Math.round(value * 1e6));
  }
  const match = DECIMAL_USD.exec(value);
  if (!match) throw new RangeError(`"${value}" is not a USD amount with at most 6 decimals`);
  return BigInt(match[1]) * MICROS_PER_USD + BigInt((match[2] ?? '').padEnd(6, '0'));
}

/** For JSON responses: micro-USD amounts below 2^53 are exact as decimal numbers with six places. */
export function microsToUsd(micros: bigint): number {
  return Number(micros) / 1e6;
}

/** `$12.5` / `$0.000125`: for messages people read. */
export function formatUsd(micros: bigint): string {
  return `$${microsToUsd(micros)}`;
}
