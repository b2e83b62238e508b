/**
 * Operations generated from an API schema for property-based tests (fast-check): one root field per
 * operation, its arguments passed as variables of random values of their input types (valid ones,
 * almost-valid ones and hostile ones: huge and unicode strings, deep lists, out-of-range numbers,
 * unknown enum values, nulls where the type forbids them, extra input fields), a selection of the
 * return type's fields a few levels deep, and sometimes a document broken on purpose (an unknown
 * field, a missing required argument, a truncated text).
 */
import fc from 'fast-check';
import {
  getNamedType,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isLeafType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
  isUnionType,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLOutputType,
  type GraphQLSchema,
} from 'graphql';

export interface FuzzOperation {
  /** What was generated, for the report: `Mutation.placeOrder (truncated)`. */
  label: string;
  query: string;
  variables: Record<string, unknown>;
}

/** Values of nested inputs and lists stop growing past this depth. */
const MAX_INPUT_DEPTH = 4;
/** Selections stop this many levels below the root field. */
const MAX_SELECTION_DEPTH = 3;
/** At most this many fields per selection set, so most operations stay within the router's cost limit. */
const MAX_FIELDS = 6;

const hostileStrings = fc.oneof(
  fc.constant(''),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom(
    '00000000-0000-0000-0000-000000000000',
    'not-a-uuid',
    "'; drop table account; --",
    '%00%ff',
    '\u0000\u202e\ud83d\ude00',
    '{"$gt": ""}',
    '-1',
    '1e400',
    'NaN',
    '9999999999999999999999.999',
    '2026-13-45T25:61:61Z',
    'eyJhbGciOiJub25lIn0.e30.',
  ),
  fc.integer({ min: 1_000, max: 200_000 }).map((length) => 'x'.repeat(length)),
);

const hostileNumbers = fc.oneof(
  fc.integer(),
  fc.constantFrom(0, -1, 2 ** 31, -(2 ** 31) - 1, Number.MAX_SAFE_INTEGER, 1e308, -1e308, 0.5, -0.000001),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
);

/** A value of `type`, mostly of the right shape, sometimes not (`depth` bounds nested inputs). */
function inputValue(type: GraphQLInputType, depth: number): fc.Arbitrary<unknown> {
  if (isNonNullType(type)) {
    // A null where the type forbids it, now and then.
    return fc.oneof(
      { weight: 9, arbitrary: inputValue(type.ofType, depth) },
      { weight: 1, arbitrary: fc.constant(null) },
    );
  }
  const nullable = (arbitrary: fc.Arbitrary<unknown>) =>
    fc.oneof(
      { weight: 8, arbitrary },
      { weight: 1, arbitrary: fc.constant(null) },
      { weight: 1, arbitrary: fc.constant(undefined) },
    );
  if (isListType(type)) {
    if (depth >= MAX_INPUT_DEPTH) return nullable(fc.constant([]));
    const item = inputValue(type.ofType, depth + 1);
    return nullable(
      fc.oneof(
        { weight: 6, arbitrary: fc.array(item, { maxLength: 4 }) },
        { weight: 1, arbitrary: fc.array(item, { minLength: 40, maxLength: 120 }) },
        // A single value where a list is expected (GraphQL coerces it), or a list nested too deep.
        { weight: 1, arbitrary: item },
        { weight: 1, arbitrary: fc.array(fc.array(item, { maxLength: 2 }), { maxLength: 2 }) },
      ),
    );
  }
  if (isEnumType(type)) {
    const values = type.getValues().map((value) => value.name);
    return nullable(
      fc.oneof(
        { weight: 8, arbitrary: fc.constantFrom(...values) },
        { weight: 1, arbitrary: hostileStrings },
      ),
    );
  }
  if (isInputObjectType(type)) {
    if (depth >= MAX_INPUT_DEPTH) return nullable(fc.constant({}));
    const fields = Object.values(type.getFields());
    const record: Record<string, fc.Arbitrary<unknown>> = {};
    for (const field of fields) record[field.name] = inputValue(field.type, depth + 1);
    const required = fields.filter((field) => isNonNullType(field.type)).map((field) => field.name);
    return nullable(
      fc.oneof(
        { weight: 8, arbitrary: fc.record(record, { requiredKeys: required }) },
        // A required field missing, or a field the type does not have.
        { weight: 1, arbitrary: fc.record(record, { requiredKeys: [] }) },
        { weight: 1, arbitrary: fc.record(record).map((value) => ({ ...value, notAField: 1 })) },
      ),
    );
  }
  if (isScalarType(type)) {
    const right = scalarValue(type.name);
    return nullable(
      fc.oneof(
        { weight: 6, arbitrary: right },
        { weight: 2, arbitrary: hostileStrings },
        { weight: 1, arbitrary: hostileNumbers },
        { weight: 1, arbitrary: fc.oneof(fc.boolean(), fc.constant({}), fc.constant([1, 'two'])) },
      ),
    );
  }
  return fc.constant(null);
}

/** Well-formed values of the schema's scalars. */
function scalarValue(name: string): fc.Arbitrary<unknown> {
  switch (name) {
    case 'Int':
      return fc.integer({ min: -5, max: 200 });
    case 'Float':
      return fc.double({ min: -10, max: 1_000, noNaN: true });
    case 'Boolean':
      return fc.boolean();
    case 'ID':
      return fc.oneof(fc.uuid(), fc.string({ maxLength: 12 }));
    case 'DateTime':
      return fc.date({ noInvalidDate: true }).map((date) => date.toISOString());
    case 'Decimal':
      return fc.integer({ min: -100_00, max: 100_000_00 }).map((cents) => (cents / 100).toFixed(2));
    default:
      return fc.string({ maxLength: 20 });
  }
}

/** A selection set for `type`: scalar fields first, objects below while depth allows; `__typename` always. */
function selection(type: GraphQLOutputType, depth: number): string {
  const named = getNamedType(type);
  if (isLeafType(named)) return '';
  if (isUnionType(named) || depth >= MAX_SELECTION_DEPTH) return '{ __typename }';
  if (!isObjectType(named) && !isInterfaceType(named)) return '{ __typename }';
  const fields = Object.values(named.getFields()).filter((field) =>
    field.args.every((arg) => !isNonNullType(arg.type) || arg.defaultValue !== undefined),
  );
  const leaves = fields.filter((field) => isLeafType(getNamedType(field.type)));
  const objects = fields.filter((field) => !isLeafType(getNamedType(field.type)));
  const chosen = [
    ...leaves.slice(0, MAX_FIELDS),
    ...objects.slice(0, Math.max(0, MAX_FIELDS - leaves.length)),
  ];
  const parts = chosen.map((field) => `${field.name} ${selection(field.type, depth + 1)}`.trim());
  return `{ __typename ${parts.join(' ')} }`;
}

/** The document for `field` of `root` with every argument as a variable. */
function documentFor(root: 'query' | 'mutation' | 'subscription', field: GraphQLField<unknown, unknown>) {
  const definitions = field.args.map((arg) => `$${arg.name}: ${arg.type.toString()}`);
  const args = field.args.map((arg) => `${arg.name}: $${arg.name}`);
  return `${root} Fuzz${definitions.length ? `(${definitions.join(', ')})` : ''} { ${field.name}${
    args.length ? `(${args.join(', ')})` : ''
  } ${selection(field.type, 1)} }`;
}

/** Every root field of `schema` as a generator of operations (`Mutation.placeOrder`, ...). */
export function fuzzOperations(schema: GraphQLSchema): fc.Arbitrary<FuzzOperation> {
  const roots = [
    ['query', schema.getQueryType()],
    ['mutation', schema.getMutationType()],
    ['subscription', schema.getSubscriptionType()],
  ] as const;
  const perField = roots.flatMap(([root, type]) =>
    type
      ? Object.values(type.getFields()).map((field) => {
          const query = documentFor(root, field);
          const variables = fc.record(
            Object.fromEntries(field.args.map((arg) => [arg.name, inputValue(arg.type, 0)])),
            { requiredKeys: [] },
          );
          const label = `${type.name}.${field.name}`;
          return fc.oneof(
            { weight: 8, arbitrary: variables.map((vars) => ({ label, query, variables: vars })) },
            {
              weight: 2,
              arbitrary: fc.tuple(variables, brokenDocument(query, field)).map(([vars, broken]) => ({
                label: `${label} (${broken.how})`,
                query: broken.query,
                variables: vars,
              })),
            },
          );
        })
      : [],
  );
  return fc.oneof(...perField);
}

/** `query` made almost valid: an unknown field, a required argument dropped, the text cut short. */
function brokenDocument(query: string, field: GraphQLField<unknown, unknown>) {
  const required = field.args.filter((arg) => isNonNullType(arg.type));
  return fc.oneof(
    fc.constant({ how: 'unknown field', query: query.replace('{ __typename', '{ __typename notAField') }),
    fc
      .nat({ max: Math.max(0, query.length - 1) })
      .map((cut) => ({ how: 'truncated', query: query.slice(0, cut) })),
    fc.constant({
      how: 'argument dropped',
      query: required.length
        ? query.replace(new RegExp(`\\b${required[0]!.name}: \\$${required[0]!.name}(, )?`), '')
        : query.replace('{ __typename', '{ __typename __schema { queryType { name } }'),
    }),
  );
}
