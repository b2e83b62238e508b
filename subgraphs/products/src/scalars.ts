import { GraphQLError, GraphQLScalarType, Kind } from 'graphql';

/**
 * The contract's scalars. `DateTime` is an ISO-8601 string; `Decimal` is a string (never a float,
 * so no amount is ever rounded in transit) whose format each field checks with `parseDecimal`,
 * naming the field in the error.
 */

export const DateTimeScalar = new GraphQLScalarType({
  name: 'DateTime',
  description: 'An ISO-8601 instant with a time zone.',
  serialize(value) {
    const date = value instanceof Date ? value : new Date(String(value));
    if (Number.isNaN(date.getTime())) throw new GraphQLError('DateTime cannot represent an invalid date');
    return date.toISOString();
  },
  parseValue(value) {
    const date = typeof value === 'string' ? new Date(value) : new Date(Number.NaN);
    if (Number.isNaN(date.getTime())) throw new GraphQLError('DateTime must be an ISO-8601 string');
    return date;
  },
  parseLiteral(ast) {
    const date = ast.kind === Kind.STRING ? new Date(ast.value) : new Date(Number.NaN);
    if (Number.isNaN(date.getTime())) throw new GraphQLError('DateTime must be an ISO-8601 string');
    return date;
  },
});

const decimalError = () => new GraphQLError('Decimal must be a string such as "19.99"');

export const DecimalScalar = new GraphQLScalarType({
  name: 'Decimal',
  description: 'A decimal amount as a string, e.g. "19.99".',
  serialize(value) {
    if (typeof value !== 'string') throw decimalError();
    return value;
  },
  parseValue(value) {
    if (typeof value !== 'string') throw decimalError();
    return value;
  },
  parseLiteral(ast) {
    if (ast.kind !== Kind.STRING) throw decimalError();
    return ast.value;
  },
});
