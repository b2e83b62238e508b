import { badUserInput } from '@shop/platform';
import { z } from 'zod';

/** Contract limits (CONTRACT.md, "Accounts"). */
export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 128;
export const NAME_MAX = 100;
/** RFC 5321's limit on a forward path, which bounds a usable address. */
export const EMAIL_MAX = 254;

const emailFormat = z.email();

/**
 * The form every email is stored and compared in: trimmed and lowercased, so the unique index on
 * `account.email` makes addresses case-insensitive. (Strictly only the domain is case-insensitive;
 * no mail provider in practice treats the local part by case, and the contract asks for this.)
 */
export const normalizeEmail = (email: string) => email.trim().toLowerCase();

/** Length in characters (code points), as Postgres' varchar counts them. */
const length = (text: string) => [...text].length;

/** A normalized, well-formed email or BAD_USER_INPUT naming `email`. */
export function validEmail(email: string): string {
  const normalized = normalizeEmail(email);
  if (normalized.length > EMAIL_MAX || !emailFormat.safeParse(normalized).success) {
    throw badUserInput('email must be a valid email address', 'email');
  }
  return normalized;
}

/** The password as given (never trimmed) when it is 8..128 characters, or BAD_USER_INPUT naming `password`. */
export function validPassword(password: string): string {
  const n = length(password);
  if (n < PASSWORD_MIN || n > PASSWORD_MAX) {
    throw badUserInput(`password must be ${PASSWORD_MIN} to ${PASSWORD_MAX} characters`, 'password');
  }
  return password;
}

/** The trimmed name when it is 1..100 characters, or BAD_USER_INPUT naming `name`. */
export function validName(name: string): string {
  const trimmed = name.trim();
  const n = length(trimmed);
  if (n < 1 || n > NAME_MAX) throw badUserInput(`name must be 1 to ${NAME_MAX} characters`, 'name');
  return trimmed;
}

export interface Registration {
  email: string;
  password: string;
  name: string;
}

/** Validates and normalizes a registration; the first bad field fails with BAD_USER_INPUT. */
export function validRegistration(input: Registration): Registration {
  return {
    email: validEmail(input.email),
    password: validPassword(input.password),
    name: validName(input.name),
  };
}
