import { describe, expect, it } from '@jest/globals';
import { nextFreeSlug, SLUG_PATTERN, slugCandidate, slugify } from './slug.js';

describe('slugify', () => {
  it('lowercases ascii words joined by single hyphens', () => {
    expect(slugify('Wireless Headphones')).toBe('wireless-headphones');
    expect(slugify('  USB-C  Charger -- 65W!  ')).toBe('usb-c-charger-65w');
    expect(slugify('Socks (3 Pack)')).toBe('socks-3-pack');
  });

  it('transliterates accents (NFKD) and letters NFKD cannot split', () => {
    expect(slugify('Café Nova Crème Brûlée')).toBe('cafe-nova-creme-brulee');
    expect(slugify('Straße Øl Æther Łódź')).toBe('strasse-ol-aether-lodz');
    expect(slugify('ﬁne ２０ｍｍ')).toBe('fine-20mm');
  });

  it('gives an empty slug when nothing ascii is left, and caps the length at a word boundary hyphen', () => {
    expect(slugify('東京 !!!')).toBe('');
    const long = slugify('a'.repeat(79) + ' bcd');
    expect(long.length).toBeLessThanOrEqual(80);
    expect(long).toMatch(SLUG_PATTERN);
  });
});

describe('nextFreeSlug', () => {
  it('takes the base when free, else one more than the highest suffix', () => {
    expect(nextFreeSlug('lamp', [])).toBe('lamp');
    expect(nextFreeSlug('lamp', ['lamp'])).toBe('lamp-2');
    expect(nextFreeSlug('lamp', ['lamp', 'lamp-2', 'lamp-7'])).toBe('lamp-8');
    expect(nextFreeSlug('lamp', ['lamp-shade', 'lamp-2x'])).toBe('lamp');
    expect(slugCandidate('lamp', 1)).toBe('lamp');
    expect(slugCandidate('lamp', 3)).toBe('lamp-3');
  });
});
