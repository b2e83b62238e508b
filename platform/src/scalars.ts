import { GraphQLError, GraphQLScalarType, Kind } from 'graphql';

/**
 * The contract's scalars, one implementation for every subgraph (each SDL declares them with the
 * same description so composition stays quiet).
 *
 * `DateTime`: an instant as an ISO-8601 string in UTC (`2026-01-31T12:00:00.000Z`); accepts any
 * ISO-8601 string with a zone as input. `Decimal`: an amount as a string (`"19.99"`), never a float,
 * so nothing is rounded in transit; each field checks its format with `parseDecimal`, naming itself
 * in the error.
 */

const toDate = (value: unknown): Date => {
  const date = value instanceof Date ? value : typeof value === 'string' ? new Date(value) : undefined;
  if (!date || Number.isNaN(date.getTime())) throw new GraphQLError('DateTime must be an ISO-8601 string');
  return date;
};

export const DateTimeScalar = new GraphQLScalarType<Date, string>({
  name: 'DateTime',
  description: 'An instant in time, as an ISO-8601 string in UTC, e.g. `2026-01-31T12:00:00.000Z`.',
  serialize: (value) => toDate(value).toISOString(),
  parseValue: toDate,
  parseLiteral: (ast) => {
    if (ast.kind !== Kind.STRING) throw new GraphQLError('DateTime must be an ISO-8601 string');
    return toDate(ast.value);
  },
});

const asDecimalString = (value: unknown): string => {
  if (typeof value !== 'string') throw new GraphQLError('Decimal must be a string such as "19.99"');
  return value;
};

export const DecimalScalar = new GraphQLScalarType<string, string>({
  name: 'Decimal',
  description: 'A decimal amount as a string with the currency\'s minor digits, e.g. "19.99". Never a float.',
  serialize: asDecimalString,
  parseValue: asDecimalString,
  parseLiteral: (ast) => asDecimalString(ast.kind === Kind.STRING ? ast.value : undefined),
});
