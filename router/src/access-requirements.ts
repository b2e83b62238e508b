import {
  getDirectiveValues,
  getNamedType,
  GraphQLIncludeDirective,
  GraphQLSkipDirective,
  isAbstractType,
  isObjectType,
  isInterfaceType,
  Kind,
  parse,
  type ConstDirectiveNode,
  type DirectiveNode,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLNamedType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import { linkedDirectiveName } from './supergraph-sdl.js';

/**
 * Who may touch what, read from a supergraph's `@authenticated` and `@requiresScopes` directives.
 * Keys are schema coordinates: `Type` for a type-level directive, `Type.field` for a field.
 */
export interface AccessRequirements {
  /** Coordinates that need a signed-in caller. */
  authenticated: ReadonlySet<string>;
  /**
   * Coordinates that need scopes: one of the listed sets, holding every scope of that set
   * (`[["ADMIN"], ["SUPPORT", "AUDITOR"]]` = ADMIN, or both SUPPORT and AUDITOR).
   */
  scopes: ReadonlyMap<string, readonly (readonly string[])[]>;
}

/** No rules at all (a supergraph that links neither feature). */
export const NO_REQUIREMENTS: AccessRequirements = { authenticated: new Set(), scopes: new Map() };

function scopesOf(directive: ConstDirectiveNode): string[][] {
  const arg = directive.arguments?.find((a) => a.name.value === 'scopes');
  if (arg?.value.kind !== Kind.LIST) return [];
  return arg.value.values.map((set) =>
    set.kind === Kind.LIST ? set.values.flatMap((s) => (s.kind === Kind.STRING ? [s.value] : [])) : [],
  );
}

/**
 * Reads the access rules of a supergraph SDL (field and type level; objects, interfaces, scalars, enums).
 * The directive names come from the supergraph's `@link`s, so a renamed import (`as:`) is honoured.
 * Throws a GraphQL syntax error on a file that is not GraphQL.
 */
export function readAccessRequirements(supergraphSdl: string | DocumentNode): AccessRequirements {
  const document = typeof supergraphSdl === 'string' ? parse(supergraphSdl) : supergraphSdl;
  const authenticatedName = linkedDirectiveName(document, 'authenticated');
  const scopesName = linkedDirectiveName(document, 'requiresScopes');
  if (!authenticatedName && !scopesName) return NO_REQUIREMENTS;
  const authenticated = new Set<string>();
  const scopes = new Map<string, string[][]>();
  const collect = (coordinate: string, directives: readonly ConstDirectiveNode[] | undefined) => {
    for (const directive of directives ?? []) {
      if (directive.name.value === authenticatedName) authenticated.add(coordinate);
      if (directive.name.value === scopesName) scopes.set(coordinate, scopesOf(directive));
    }
  };
  for (const definition of document.definitions) {
    switch (definition.kind) {
      case Kind.OBJECT_TYPE_DEFINITION:
      case Kind.OBJECT_TYPE_EXTENSION:
      case Kind.INTERFACE_TYPE_DEFINITION:
      case Kind.INTERFACE_TYPE_EXTENSION:
        collect(definition.name.value, definition.directives);
        for (const field of definition.fields ?? []) {
          collect(`${definition.name.value}.${field.name.value}`, field.directives);
        }
        break;
      case Kind.SCALAR_TYPE_DEFINITION:
      case Kind.SCALAR_TYPE_EXTENSION:
      case Kind.ENUM_TYPE_DEFINITION:
      case Kind.ENUM_TYPE_EXTENSION:
        collect(definition.name.value, definition.directives);
        break;
      default:
        break;
    }
  }
  return { authenticated, scopes };
}

/** Why an operation is refused: the first coordinate it touches that the caller may not. */
export interface AccessViolation {
  code: 'UNAUTHENTICATED' | 'FORBIDDEN';
  /** `Type.field` or `Type`. */
  coordinate: string;
  /** The scope sets that would have allowed it (FORBIDDEN only). */
  requiredScopes?: readonly (readonly string[])[];
}

export interface AccessCheckInput {
  /** The API schema the operation was validated against. */
  schema: GraphQLSchema;
  document: DocumentNode;
  operation: OperationDefinitionNode;
  /** The request's variables, for `@skip`/`@include`. */
  variables?: Record<string, unknown>;
  requirements: AccessRequirements;
  /** The caller's scopes (the token's roles), or undefined when anonymous. */
  scopes: readonly string[] | undefined;
}

/**
 * Walks the fields an operation would execute (fragments expanded, `@skip`/`@include` honoured,
 * introspection fields ignored) and returns the first one the caller may not touch, or undefined.
 *
 * A field is protected by its own directives, by those of the type it returns, and, when selected on an
 * interface, by those of the same field on every implementation; a fragment on a protected type is
 * protected too. `@requiresScopes` implies `@authenticated`: an anonymous caller gets UNAUTHENTICATED,
 * a signed-in caller without the scopes FORBIDDEN.
 */
export function findAccessViolation(input: AccessCheckInput): AccessViolation | undefined {
  const { schema, document, requirements, scopes: callerScopes } = input;
  if (requirements.authenticated.size === 0 && requirements.scopes.size === 0) return undefined;
  const variables = input.variables ?? {};
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  const visitedFragments = new Set<string>();

  const check = (coordinate: string): AccessViolation | undefined => {
    const needed = requirements.scopes.get(coordinate);
    if (!requirements.authenticated.has(coordinate) && !needed) return undefined;
    if (!callerScopes) return { code: 'UNAUTHENTICATED', coordinate };
    if (needed && !needed.some((set) => set.every((scope) => callerScopes.includes(scope)))) {
      return { code: 'FORBIDDEN', coordinate, requiredScopes: needed };
    }
    return undefined;
  };

  const included = (node: { directives?: readonly DirectiveNode[] }) => {
    if (getDirectiveValues(GraphQLSkipDirective, node, variables)?.if === true) return false;
    return getDirectiveValues(GraphQLIncludeDirective, node, variables)?.if !== false;
  };

  const walk = (selectionSet: SelectionSetNode, parent: GraphQLNamedType): AccessViolation | undefined => {
    for (const selection of selectionSet.selections) {
      if (!included(selection)) continue;
      let violation: AccessViolation | undefined;
      if (selection.kind === Kind.FIELD) {
        const name = selection.name.value;
        if (name.startsWith('__')) continue;
        if (!isObjectType(parent) && !isInterfaceType(parent)) continue;
        const field = parent.getFields()[name];
        if (!field) continue;
        const returned = getNamedType(field.type);
        const owners = isAbstractType(parent) ? [parent, ...schema.getPossibleTypes(parent)] : [parent];
        for (const owner of owners) violation ??= check(`${owner.name}.${name}`);
        violation ??= check(returned.name);
        if (!violation && selection.selectionSet) violation = walk(selection.selectionSet, returned);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const type = selection.typeCondition ? schema.getType(selection.typeCondition.name.value) : parent;
        if (!type) continue;
        violation = check(type.name) ?? walk(selection.selectionSet, type);
      } else {
        const name = selection.name.value;
        // A fragment's fields are the same wherever it is spread: walking it once is enough.
        if (visitedFragments.has(name)) continue;
        visitedFragments.add(name);
        const fragment = fragments.get(name);
        const type = fragment && schema.getType(fragment.typeCondition.name.value);
        if (!fragment || !type) continue;
        violation = check(type.name) ?? walk(fragment.selectionSet, type);
      }
      if (violation) return violation;
    }
    return undefined;
  };

  const root = schema.getRootType(input.operation.operation);
  return root ? (check(root.name) ?? walk(input.operation.selectionSet, root)) : undefined;
}
