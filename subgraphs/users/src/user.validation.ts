import { trimmedText } from './text-input.js';

/** Longest display name, in characters. */
export const NAME_MAX_LENGTH = 100;

/** The display name of `updateProfile`: trimmed, 1 to 100 characters (BAD_USER_INPUT, field `name`). */
export const validName = (name: string): string => trimmedText(name, 'name', 1, NAME_MAX_LENGTH);
