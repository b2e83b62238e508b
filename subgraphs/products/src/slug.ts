/**
 * URL names for products and categories: lowercase ascii words joined by single hyphens.
 * Accented letters are transliterated (NFKD, then the combining marks dropped: "Café" -> "cafe");
 * letters NFKD cannot decompose get a conventional spelling ("Straße" -> "strasse").
 */

const SPELLED: Record<string, string> = {
  ß: 'ss',
  æ: 'ae',
  œ: 'oe',
  ø: 'o',
  ł: 'l',
  đ: 'd',
  ð: 'd',
  þ: 'th',
  ı: 'i',
};

/** The longest slug we derive, leaving room for a `-<n>` suffix within the 100/200-character columns. */
export const MAX_DERIVED_SLUG = 80;

/** A slug may be given explicitly (categories): the same shape as a derived one. */
export const SLUG_PATTERN = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

/** `"Wireless Headphones (Café Edition)"` -> `"wireless-headphones-cafe-edition"`; `""` when nothing is left. */
export function slugify(text: string, maxLength = MAX_DERIVED_SLUG): string {
  const ascii = text
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/[ßæœøłđðþı]/g, (c) => SPELLED[c] ?? '');
  const slug = ascii.replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '');
  return slug.slice(0, maxLength).replace(/-+$/, '');
}

/** The `n`th candidate for a base slug: `base`, then `base-2`, `base-3`... */
export const slugCandidate = (base: string, n: number) => (n <= 1 ? base : `${base}-${n}`);

/**
 * The next candidate given the taken slugs that are `base` or `base-<n>` (`base` must be a slug):
 * `base` when it is free, else `base-<highest n + 1>`. Highest-plus-one rather than the first gap
 * keeps it to one look-up; a concurrent writer that picks the same one loses on the unique index
 * and asks again.
 */
export function nextFreeSlug(base: string, taken: readonly string[]): string {
  let highest = 0;
  const suffixed = new RegExp(`^${base}-(\\d+)$`);
  for (const slug of taken) {
    if (slug === base) highest = Math.max(highest, 1);
    const match = suffixed.exec(slug);
    if (match) highest = Math.max(highest, Number(match[1]));
  }
  return slugCandidate(base, highest + 1);
}
