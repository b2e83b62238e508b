import {
  GraphQLError,
  Kind,
  NoUnusedFragmentsRule,
  parse,
  separateOperations,
  Source,
  UniqueFragmentNamesRule,
  UniqueOperationNamesRule,
  validate,
  type DocumentNode,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type OperationTypeNode,
} from 'graphql';

/** The verdict on one named operation. */
export interface OperationResult {
  name: string;
  operation: OperationTypeNode;
  /** Why it does not validate, one readable line each (`message (file:line:column)`); empty when it does. */
  errors: string[];
}

/** The verdict on a document of operations. */
export interface OperationsReport {
  /** False when the document has a syntax error: then `operations` is empty and says nothing. */
  parsed: boolean;
  /** Problems of the document as a whole: syntax errors, anonymous or duplicate operations, stray fragments. */
  documentErrors: string[];
  /** One result per named operation, in document order. */
  operations: OperationResult[];
}

const DOCUMENT_RULES = [UniqueOperationNamesRule, UniqueFragmentNamesRule, NoUnusedFragmentsRule];

/**
 * Validates every operation of a document against a schema, each on its own with the fragments it uses.
 * An operation passes when graphql-js `validate()` finds nothing AND the schema has its root type: graphql-js
 * 16 accepts a mutation or subscription vacuously when the schema lacks that root type, so that is checked
 * here.
 *
 * Never throws for a bad document: a syntax error, an anonymous operation, a duplicate name or an unused
 * fragment is reported in `documentErrors`. `fileName` names the document in error locations.
 */
export function validateOperations(
  schema: GraphQLSchema,
  documentText: string,
  fileName = 'operations.graphql',
): OperationsReport {
  return validateDocuments(schema, [{ name: fileName, text: documentText }]);
}

/** One `.graphql` document: its name in error locations and its text. */
export interface NamedDocument {
  name: string;
  text: string;
}

/**
 * {@link validateOperations} over several documents taken as one (an operation may spread a fragment of
 * another file, as a storefront's colocated fragments do); each error names the file it is in. A syntax
 * error in any document makes the whole report unparsed.
 */
export function validateDocuments(
  schema: GraphQLSchema,
  documents: readonly NamedDocument[],
): OperationsReport {
  const parsedDocuments: DocumentNode[] = [];
  const syntaxErrors: string[] = [];
  for (const { name, text } of documents) {
    try {
      parsedDocuments.push(parse(new Source(text, name)));
    } catch (error) {
      if (!(error instanceof GraphQLError)) throw error;
      syntaxErrors.push(formatError(error));
    }
  }
  if (syntaxErrors.length > 0) return { parsed: false, documentErrors: syntaxErrors, operations: [] };
  const document: DocumentNode = {
    kind: Kind.DOCUMENT,
    definitions: parsedDocuments.flatMap((parsed) => parsed.definitions),
  };
  const definitions = operationDefinitions(document);
  const documentErrors = [
    ...validate(schema, document, DOCUMENT_RULES).map(formatError),
    ...definitions.filter((definition) => !definition.name).map(anonymousError),
  ];
  const perOperation = separateOperations(document);
  const operations = definitions
    .filter((definition) => definition.name !== undefined)
    .map((definition) => validateOne(schema, definition, perOperation));
  return { parsed: true, documentErrors, operations };
}

function operationDefinitions(document: DocumentNode): OperationDefinitionNode[] {
  return document.definitions.filter(
    (definition): definition is OperationDefinitionNode => definition.kind === Kind.OPERATION_DEFINITION,
  );
}

function validateOne(
  schema: GraphQLSchema,
  definition: OperationDefinitionNode,
  perOperation: Record<string, DocumentNode>,
): OperationResult {
  const name = definition.name?.value ?? '';
  const errors: string[] = [];
  if (!schema.getRootType(definition.operation)) {
    const root = rootTypeName(definition.operation);
    const message = `the schema has no ${root} type, so ${definition.operation} ${name} cannot run`;
    errors.push(formatError(new GraphQLError(message, { nodes: definition })));
  }
  const ownDocument = perOperation[name] ?? { kind: Kind.DOCUMENT, definitions: [definition] };
  errors.push(...validate(schema, ownDocument).map(formatError));
  return { name, operation: definition.operation, errors };
}

function anonymousError(definition: OperationDefinitionNode): string {
  const error = new GraphQLError(`an anonymous ${definition.operation}: every operation needs a name`, {
    nodes: definition,
  });
  return formatError(error);
}

function rootTypeName(operation: OperationTypeNode): string {
  return operation.charAt(0).toUpperCase() + operation.slice(1);
}

function formatError(error: GraphQLError): string {
  const where = error.locations?.[0];
  const file = error.source?.name;
  return where && file ? `${error.message} (${file}:${where.line}:${where.column})` : error.message;
}
