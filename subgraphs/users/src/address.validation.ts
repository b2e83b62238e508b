import { badUserInput } from '@shop/platform';
import { isCountryCode } from './country-codes.js';
import { trimmedText } from './text-input.js';

/** An `AddressInput` as the client sends it. */
export interface AddressInputValue {
  line1: string;
  line2?: string | null;
  city: string;
  postalCode: string;
  country: string;
  isDefault?: boolean | null;
}

/** A validated address: trimmed, `line2` null when blank, country upper case. */
export interface AddressFields {
  line1: string;
  line2: string | null;
  city: string;
  postalCode: string;
  country: string;
  /** The client asked for this address to be the default. */
  isDefault: boolean;
}

/**
 * Validates an `AddressInput`; throws BAD_USER_INPUT whose `field` names the first bad field.
 * The country must be an assigned ISO 3166-1 alpha-2 code, in any case.
 */
export function validAddress(input: AddressInputValue): AddressFields {
  const line1 = trimmedText(input.line1, 'line1', 1, 200);
  const line2 = input.line2 == null ? '' : trimmedText(input.line2, 'line2', 0, 200);
  const city = trimmedText(input.city, 'city', 1, 100);
  const postalCode = trimmedText(input.postalCode, 'postalCode', 1, 20);
  const country = input.country.trim().toUpperCase();
  if (!isCountryCode(country)) {
    throw badUserInput('country must be an ISO 3166-1 alpha-2 code such as DE or US', 'country');
  }
  return { line1, line2: line2 || null, city, postalCode, country, isDefault: input.isDefault === true };
}
