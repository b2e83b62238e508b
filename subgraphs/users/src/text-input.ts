import { badUserInput } from '@shop/platform';

/**
 * Trims `value` and checks its length in characters (code points, as Postgres' varchar counts
 * them). Throws BAD_USER_INPUT naming `field` when it is out of `min..max`.
 */
export function trimmedText(value: string, field: string, min: number, max: number): string {
  const text = value.trim();
  const length = [...text].length;
  if (length < min || length > max) {
    throw badUserInput(
      min > 0 ? `${field} must be ${min} to ${max} characters` : `${field} must be at most ${max} characters`,
      field,
    );
  }
  return text;
}
