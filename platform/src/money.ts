import { badUserInput } from './errors.js';

/** Minor digits per ISO 4217 currency; currencies not listed use 2. */
const MINOR_DIGITS: Record<string, number> = { JPY: 0, KRW: 0, BHD: 3, KWD: 3 };

export const minorDigits = (currencyCode: string) => MINOR_DIGITS[currencyCode] ?? 2;

/** The contract's `Money`: `amount` is a Decimal string with the currency's minor digits. */
export interface Money {
  amount: string;
  currencyCode: string;
}

/** `1999, 'USD'` -> `{ amount: '19.99', currencyCode: 'USD' }`. Integers only: prices are never floats. */
export function money(minor: number | bigint, currencyCode: string): Money {
  const digits = minorDigits(currencyCode);
  const value = BigInt(minor);
  const negative = value < 0n;
  const abs = (negative ? -value : value).toString().padStart(digits + 1, '0');
  const whole = abs.slice(0, abs.length - digits);
  const fraction = digits ? `.${abs.slice(abs.length - digits)}` : '';
  return { amount: `${negative ? '-' : ''}${whole}${fraction}`, currencyCode };
}

/**
 * Parses a Decimal string into minor units: `'19.99'` -> 1999, `'5'` -> 500. Rejects with
 * BAD_USER_INPUT anything that is not a plain decimal, has more fraction digits than the currency
 * allows, or is out of the safe integer range. `field` names the input in the error.
 */
export function parseDecimal(amount: string, currencyCode: string, field = 'amount'): number {
  const digits = minorDigits(currencyCode);
  const match = /^(-)?(\d{1,15})(?:\.(\d+))?$/.exec(amount.trim());
  if (!match) throw badUserInput(`${field} must be a decimal such as "19.99"`, field);
  const [, sign, whole, fraction = ''] = match;
  if (fraction.length > digits) throw badUserInput(`${field} has more than ${digits} decimal places`, field);
  const minor = Number(whole) * 10 ** digits + Number(fraction.padEnd(digits, '0') || '0');
  if (!Number.isSafeInteger(minor)) throw badUserInput(`${field} is out of range`, field);
  return sign ? -minor : minor;
}
