import { describe, expect, it } from '@jest/globals';
import { COUNTRY_CODES, isCountryCode } from './country-codes.js';

describe('country codes', () => {
  it('holds the 249 assigned ISO 3166-1 alpha-2 codes and no reserved ones', () => {
    expect(COUNTRY_CODES.size).toBe(249);
    for (const code of ['US', 'DE', 'GB', 'SS', 'BQ', 'CW', 'SX', 'AX'])
      expect(isCountryCode(code)).toBe(true);
    for (const code of ['UK', 'EU', 'XK', 'ZZ', 'AN', 'YU', 'AC'])
      expect(COUNTRY_CODES.has(code)).toBe(false);
  });
});
