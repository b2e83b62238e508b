import {
  getNamedType,
  getNullableType,
  isInterfaceType,
  isListType,
  isObjectType,
  Kind,
  valueFromAST,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';

/** What the router's limits look at. */
export interface OperationMeasures {
  /** The deepest field nesting: `{ me { id } }` is 2. Introspection fields (`__schema`...) are not counted. */
  depth: number;
  /** Aliased fields, counted once per place they are executed (a fragment spread twice counts twice). */
  aliases: number;
  /**
   * A static cost: every field costs 1; a field's sub-selection is multiplied by the field's size. The size
   * is its `first`/`last` argument (given, from a variable, or the argument's default) when it has one
   * (a Relay connection or a paginated list); otherwise `defaultListSize` for a list field, except for a
   * list directly under a sized field that is not itself a list (a connection's `edges`/`nodes`, already
   * sized by the connection's `first`), and 1 for any other field. Introspection fields cost nothing.
   */
  cost: number;
}

export interface MeasureOptions {
  /** The size assumed for a list field without a `first`/`last` argument. Default 10. */
  defaultListSize?: number;
}

interface Measured {
  depth: number;
  aliases: number;
  cost: number;
}

const NOTHING: Measured = { depth: 0, aliases: 0, cost: 0 };
const SLICING_ARGUMENTS = ['first', 'last'];

/**
 * Measures one operation of a validated document against `schema` (the API schema). Fragments are measured
 * once and their measures reused wherever they are spread, so the work is linear in the document's size
 * even when the operation it describes is exponential. `@skip`/`@include` are ignored: a limit holds
 * whatever the variables.
 */
export function measureOperation(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown> = {},
  { defaultListSize = 10 }: MeasureOptions = {},
): OperationMeasures {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  // Keyed by fragment name and whether the fragment is spread directly under a sized connection.
  const memo = new Map<string, Measured>();
  const inProgress = new Set<string>();

  const sizeOf = (node: FieldNode, field: GraphQLField<unknown, unknown>): number | undefined => {
    for (const name of SLICING_ARGUMENTS) {
      const definition = field.args.find((a) => a.name === name);
      if (!definition) continue;
      const given = node.arguments?.find((a) => a.name.value === name);
      const value =
        (given && valueFromAST(given.value, definition.type, variables)) ?? definition.defaultValue;
      if (typeof value === 'number' && Number.isFinite(value)) return Math.max(0, Math.floor(value));
    }
    return undefined;
  };

  const measureSelectionSet = (
    selectionSet: SelectionSetNode,
    parent: GraphQLNamedType | undefined,
    inSizedConnection: boolean,
  ): Measured => {
    let depth = 0;
    let aliases = 0;
    let cost = 0;
    for (const selection of selectionSet.selections) {
      let inner: Measured;
      if (selection.kind === Kind.FIELD) {
        if (selection.alias) aliases += 1;
        if (selection.name.value.startsWith('__')) continue;
        const field =
          parent && (isObjectType(parent) || isInterfaceType(parent))
            ? parent.getFields()[selection.name.value]
            : undefined;
        const size = field ? sizeOf(selection, field) : undefined;
        const isList = field ? isListType(getNullableType(field.type)) : false;
        const multiplier = size ?? (isList && !inSizedConnection ? defaultListSize : 1);
        const child = selection.selectionSet
          ? measureSelectionSet(
              selection.selectionSet,
              field && getNamedType(field.type),
              size !== undefined && !isList,
            )
          : NOTHING;
        inner = { depth: 1 + child.depth, aliases: child.aliases, cost: 1 + multiplier * child.cost };
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const type = selection.typeCondition ? schema.getType(selection.typeCondition.name.value) : parent;
        inner = measureSelectionSet(selection.selectionSet, type, inSizedConnection);
      } else {
        const key = `${selection.name.value}:${inSizedConnection}`;
        const fragment = fragments.get(selection.name.value);
        if (!fragment || inProgress.has(key)) continue;
        let measured = memo.get(key);
        if (!measured) {
          inProgress.add(key);
          measured = measureSelectionSet(
            fragment.selectionSet,
            schema.getType(fragment.typeCondition.name.value),
            inSizedConnection,
          );
          inProgress.delete(key);
          memo.set(key, measured);
        }
        inner = measured;
      }
      depth = Math.max(depth, inner.depth);
      aliases += inner.aliases;
      cost += inner.cost;
    }
    return { depth, aliases, cost };
  };

  const root = schema.getRootType(operation.operation);
  return measureSelectionSet(operation.selectionSet, root ?? undefined, false);
}
