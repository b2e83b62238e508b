import { readFileSync } from 'node:fs';
import { GraphQLError, stripIgnoredCharacters } from 'graphql';

/**
 * Trusted documents: with a list of operations (persisted query manifests, Apollo's format, as
 * `generate-persisted-query-manifest` writes them from a client's documents), the router executes those
 * operations and nothing else.
 * - By id: `extensions.persistedQuery.sha256Hash` names a listed operation; its body is executed (a
 *   `query` sent along must be that body). An id not in the list: PERSISTED_QUERY_NOT_IN_LIST.
 * - In full (a client without ids, graphql-ws subscriptions): the `query` must be a listed body, compared
 *   without insignificant whitespace, commas and comments; otherwise QUERY_NOT_IN_SAFELIST. With
 *   `requireId` a document in full is refused whatever it is: PERSISTED_QUERY_ID_REQUIRED.
 * Every refusal is HTTP 400 and happens before the document is parsed, planned or sent anywhere.
 */
export interface TrustedDocumentsOptions {
  /** Manifest files; several clients' lists are served together. */
  manifests: readonly string[];
  /** Refuse documents sent in full, even listed ones. Default false. */
  requireId?: boolean;
}

export interface ManifestOperation {
  id: string;
  name: string;
  type: 'query' | 'mutation' | 'subscription';
  body: string;
}

/** A request's document and extensions as the router should execute them, or why it must not. */
export type TrustedDecision =
  { query: string; extensions: Record<string, unknown> | undefined } | { refused: GraphQLError };

const refusal = (code: string, message: string) =>
  new GraphQLError(message, { extensions: { code, http: { status: 400 } } });

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The operations of one manifest's text; throws naming what is wrong with it. */
export function parseManifest(text: string, source: string): ManifestOperation[] {
  let manifest: unknown;
  try {
    manifest = JSON.parse(text);
  } catch (error) {
    throw new Error(`${source}: not JSON (${(error as Error).message})`, { cause: error });
  }
  if (!isObject(manifest) || manifest.format !== 'apollo-persisted-query-manifest' || manifest.version !== 1)
    throw new Error(
      `${source}: not a persisted query manifest (format apollo-persisted-query-manifest, version 1)`,
    );
  if (!Array.isArray(manifest.operations)) throw new Error(`${source}: "operations" must be a list`);
  return manifest.operations.map((operation: unknown, index) => {
    if (
      !isObject(operation) ||
      typeof operation.id !== 'string' ||
      operation.id === '' ||
      typeof operation.name !== 'string' ||
      !['query', 'mutation', 'subscription'].includes(operation.type as string) ||
      typeof operation.body !== 'string'
    )
      throw new Error(`${source}: operation ${index} needs a non-empty id, a name, a type and a body`);
    return operation as unknown as ManifestOperation;
  });
}

export class TrustedDocuments {
  private readonly byId = new Map<string, ManifestOperation>();
  private readonly bodies = new Set<string>();
  private readonly requireId: boolean;

  constructor(
    lists: ReadonlyArray<{ source: string; operations: readonly ManifestOperation[] }>,
    requireId = false,
  ) {
    this.requireId = requireId;
    for (const { source, operations } of lists) {
      for (const operation of operations) {
        const known = this.byId.get(operation.id);
        if (known && known.body !== operation.body)
          throw new Error(
            `${source}: id ${operation.id} (${operation.name}) is listed before with another body`,
          );
        this.byId.set(operation.id, operation);
        this.bodies.add(stripIgnoredCharacters(operation.body));
      }
    }
  }

  /** Reads the manifest files; throws naming the file and the problem. */
  static load(options: TrustedDocumentsOptions): TrustedDocuments {
    if (options.manifests.length === 0) throw new Error('trusted documents need at least one manifest file');
    const lists = options.manifests.map((path) => {
      let text: string;
      try {
        text = readFileSync(path, 'utf8');
      } catch (error) {
        throw new Error(`${path}: cannot be read (${(error as NodeJS.ErrnoException).code ?? error})`, {
          cause: error,
        });
      }
      return { source: path, operations: parseManifest(text, path) };
    });
    return new TrustedDocuments(lists, options.requireId);
  }

  /** How many distinct operations are listed. */
  get size(): number {
    return this.byId.size;
  }

  /**
   * Whether the request may run, and what: its `query` and `extensions` as sent by the client (a GET's
   * `extensions` already decoded from JSON). A request with neither a query nor an id is left alone:
   * nothing would run (the server answers it as a bad request, or serves its landing page).
   */
  check(request: { query?: unknown; extensions?: unknown }): TrustedDecision | undefined {
    const { query, extensions } = request;
    const persisted = isObject(extensions) ? extensions.persistedQuery : undefined;
    if (persisted === undefined) {
      if (query === undefined || query === null || query === '') return undefined;
      if (this.requireId)
        return {
          refused: refusal(
            'PERSISTED_QUERY_ID_REQUIRED',
            'This server runs operations by id only: send extensions.persistedQuery with a listed id',
          ),
        };
      if (typeof query !== 'string' || !this.listedBody(query))
        return {
          refused: refusal(
            'QUERY_NOT_IN_SAFELIST',
            'This operation is not one of the trusted documents this server runs',
          ),
        };
      return { query, extensions: isObject(extensions) ? extensions : undefined };
    }
    if (!isObject(persisted) || persisted.version !== 1 || typeof persisted.sha256Hash !== 'string')
      return {
        refused: refusal('BAD_REQUEST', 'extensions.persistedQuery must be { version: 1, sha256Hash: <id> }'),
      };
    const operation = this.byId.get(persisted.sha256Hash);
    if (!operation)
      return {
        refused: refusal(
          'PERSISTED_QUERY_NOT_IN_LIST',
          'This persisted query id is not one of the trusted documents this server runs',
        ),
      };
    if (
      query !== undefined &&
      query !== null &&
      query !== '' &&
      (typeof query !== 'string' || stripped(query) !== stripIgnoredCharacters(operation.body))
    )
      return {
        refused: refusal(
          'PERSISTED_QUERY_NOT_IN_LIST',
          'The document sent with this persisted query id is not the one listed for it',
        ),
      };
    const { persistedQuery: _persistedQuery, ...rest } = extensions as Record<string, unknown>;
    return { query: operation.body, extensions: Object.keys(rest).length > 0 ? rest : undefined };
  }

  private listedBody(query: string): boolean {
    const key = stripped(query);
    return key !== undefined && this.bodies.has(key);
  }
}

/** The document without insignificant characters, or undefined when it does not even lex. */
function stripped(query: string): string | undefined {
  try {
    return stripIgnoredCharacters(query);
  } catch {
    return undefined;
  }
}
