import { GraphQLError, GraphQLScalarType, Kind } from 'graphql';

const toDate = (value: unknown): Date => {
  const date = value instanceof Date ? value : typeof value === 'string' ? new Date(value) : undefined;
  if (!date || Number.isNaN(date.getTime())) throw new GraphQLError('DateTime must be an ISO-8601 string');
  return date;
};

/** `DateTime`: serialized as an ISO-8601 UTC string; accepts ISO-8601 strings as input. */
export const DateTimeScalar = new GraphQLScalarType<Date, string>({
  name: 'DateTime',
  description: 'An instant in time, as an ISO-8601 string in UTC.',
  serialize: (value) => toDate(value).toISOString(),
  parseValue: toDate,
  parseLiteral: (ast) => {
    if (ast.kind !== Kind.STRING) throw new GraphQLError('DateTime must be an ISO-8601 string');
    return toDate(ast.value);
  },
});
