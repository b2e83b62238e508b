import { describe, expect, it } from '@jest/globals';
import { buildSchema } from 'graphql';
import { buildApiSchema } from './api-schema.js';
import {
  diffApiSchemas,
  formatSchemaChanges,
  judgeSchemaChanges,
  parseBreakingChangesAllowlist,
  type SchemaChangeVerdict,
} from './breaking-changes.js';
import { composeSupergraph } from './composition.js';
import { ACCOUNTS, CATALOG, CATALOG_SDL, source } from './test-fixtures.js';

const BASE_SDL = `
type Query {
  product(id: ID!): Product
  products(first: Int = 20): [Product!]!
}

type Product {
  id: ID!
  name: String!
  sku: String!
  status: ProductStatus!
}

enum ProductStatus {
  ACTIVE
  ARCHIVED
}
`;

const CONTEXT = { base: 'origin/main', allowlistFile: 'schema/breaking-changes-allowed.txt' };

/** The verdict on going from BASE_SDL to `headSdl` with the allowlist `allowlistText`. */
async function check(headSdl: string, allowlistText = ''): Promise<SchemaChangeVerdict> {
  const changes = await diffApiSchemas(buildSchema(BASE_SDL), buildSchema(headSdl));
  const allowlist = parseBreakingChangesAllowlist(allowlistText, CONTEXT.allowlistFile);
  expect(allowlist.problems).toEqual([]);
  return judgeSchemaChanges(changes, allowlist.entries, CONTEXT);
}

const summary = (changes: readonly { type: string; path: string }[]) =>
  changes.map((change) => `${change.type} ${change.path}`);

describe('diffApiSchemas and judgeSchemaChanges', () => {
  it('fails on a removed field, naming it and saying how to allow it', async () => {
    const verdict = await check(BASE_SDL.replace('  sku: String!\n', ''));

    expect(summary(verdict.breaking)).toEqual(['FIELD_REMOVED Product.sku']);
    expect(verdict.failures).toHaveLength(1);
    expect(verdict.failures[0]).toMatch(
      /^breaking change against origin\/main: FIELD_REMOVED Product\.sku: Field 'sku' was removed from object type 'Product'\n/,
    );
    expect(verdict.failures[0]).toContain(
      'list it in schema/breaking-changes-allowed.txt: FIELD_REMOVED Product.sku <why it is safe to ship>',
    );
  });

  it('fails on a retyped field, a new required argument and a removed enum value', async () => {
    const head = BASE_SDL.replace('name: String!', 'name: Int!')
      .replace('product(id: ID!)', 'product(id: ID!, locale: String!)')
      .replace('  ARCHIVED\n', '');

    const verdict = await check(head);

    expect(summary(verdict.breaking).sort()).toEqual([
      'ENUM_VALUE_REMOVED ProductStatus.ARCHIVED',
      'FIELD_ARGUMENT_ADDED Query.product.locale',
      'FIELD_TYPE_CHANGED Product.name',
    ]);
    expect(verdict.failures).toHaveLength(3);
  });

  it('passes an additive change: an added field is safe, an optional argument and an enum value dangerous', async () => {
    const head = BASE_SDL.replace(
      '  sku: String!\n',
      '  sku: String!\n  """Shown on the page."""\n  slug: String\n',
    )
      .replace('products(first: Int = 20)', 'products(first: Int = 20, after: String)')
      .replace('  ARCHIVED\n', '  ARCHIVED\n  DRAFT\n');

    const verdict = await check(head);

    expect(verdict.failures).toEqual([]);
    expect(verdict.breaking).toEqual([]);
    expect(summary(verdict.dangerous)).toEqual([
      'FIELD_ARGUMENT_ADDED Query.products.after',
      'ENUM_VALUE_ADDED ProductStatus.DRAFT',
    ]);
    expect(summary(verdict.safe)).toEqual([
      'FIELD_ADDED Product.slug',
      'FIELD_DESCRIPTION_ADDED Product.slug',
    ]);
  });

  it('reports a changed argument default as dangerous without failing', async () => {
    const verdict = await check(BASE_SDL.replace('first: Int = 20', 'first: Int = 50'));

    expect(summary(verdict.dangerous)).toEqual(['FIELD_ARGUMENT_DEFAULT_CHANGED Query.products.first']);
    expect(verdict.failures).toEqual([]);
  });

  it('passes a breaking change the allowlist lists, keeping the reason', async () => {
    const verdict = await check(
      BASE_SDL.replace('  sku: String!\n', ''),
      '# reviewed\nFIELD_REMOVED Product.sku  the storefront reads variants[].sku since 2.3\n',
    );

    expect(verdict.failures).toEqual([]);
    expect(verdict.breaking).toEqual([
      expect.objectContaining({
        type: 'FIELD_REMOVED',
        path: 'Product.sku',
        allowedBy: {
          type: 'FIELD_REMOVED',
          path: 'Product.sku',
          reason: 'the storefront reads variants[].sku since 2.3',
          line: 2,
        },
      }),
    ]);
  });

  it('still fails on the breaking changes the allowlist does not list', async () => {
    const head = BASE_SDL.replace('  sku: String!\n', '').replace('  ARCHIVED\n', '');

    const verdict = await check(head, 'FIELD_REMOVED Product.sku replaced by variants\n');

    expect(verdict.failures).toHaveLength(1);
    expect(verdict.failures[0]).toMatch(
      /^breaking change against origin\/main: ENUM_VALUE_REMOVED ProductStatus\.ARCHIVED/,
    );
  });

  it('fails on an allowlist entry that matches no breaking change, so the list never rots', async () => {
    const verdict = await check(
      BASE_SDL.replace('  sku: String!\n', '  sku: String!\n  slug: String\n'),
      'FIELD_REMOVED Product.sku removed in the previous release\n',
    );

    expect(verdict.breaking).toEqual([]);
    expect(verdict.failures).toEqual([
      'schema/breaking-changes-allowed.txt:1: FIELD_REMOVED Product.sku matches no breaking change against ' +
        'origin/main; remove the line.',
    ]);
  });

  it('does not let an entry for a safe change stand: only breaking changes are listed', async () => {
    const verdict = await check(
      BASE_SDL.replace('  sku: String!\n', '  sku: String!\n  slug: String\n'),
      'FIELD_ADDED Product.slug new field\n',
    );

    expect(verdict.failures).toEqual([
      expect.stringMatching(/^schema\/breaking-changes-allowed\.txt:1: FIELD_ADDED Product\.slug matches no/),
    ]);
  });

  it('compares API schemas: a URL change is no change, a field removed from a subgraph is breaking', async () => {
    const supergraph = (...sources: Parameters<typeof composeSupergraph>[0]) => {
      const outcome = composeSupergraph(sources);
      if (!outcome.ok) throw new Error(outcome.problems.map((p) => p.message).join('; '));
      return buildApiSchema(outcome.supergraphSdl);
    };
    const base = supergraph(ACCOUNTS, CATALOG);
    const moved = { ...CATALOG, url: 'http://catalog.internal:8080/graphql' };
    const withoutName = source('catalog', CATALOG_SDL.replace('  name: String!\n', ''));

    expect(await diffApiSchemas(base, supergraph(ACCOUNTS, moved))).toEqual([]);
    expect(summary(await diffApiSchemas(base, supergraph(ACCOUNTS, withoutName)))).toEqual([
      'FIELD_REMOVED Product.name',
    ]);
  });
});

describe('parseBreakingChangesAllowlist', () => {
  it('reads type, path and reason per line, skipping comments and blank lines', () => {
    const list = parseBreakingChangesAllowlist(
      '# type path reason\n\nENUM_VALUE_REMOVED OrderStatus.LEGACY no order has had it since 2025 # sic\r\n' +
        'SCHEMA_SUBSCRIPTION_TYPE_CHANGED - renamed root\n',
    );

    expect(list).toEqual({
      entries: [
        {
          type: 'ENUM_VALUE_REMOVED',
          path: 'OrderStatus.LEGACY',
          reason: 'no order has had it since 2025 # sic',
          line: 3,
        },
        { type: 'SCHEMA_SUBSCRIPTION_TYPE_CHANGED', path: '-', reason: 'renamed root', line: 4 },
      ],
      problems: [],
    });
  });

  it('reports lines without a reason, unknown change types and duplicates', () => {
    const list = parseBreakingChangesAllowlist(
      'FIELD_REMOVED Product.sku\nFIELD_DELETED Product.sku gone\nFIELD_REMOVED Query.a ok\nFIELD_REMOVED Query.a again\n',
      'allowed.txt',
    );

    expect(list.entries.map((e) => e.line)).toEqual([3]);
    expect(list.problems).toEqual([
      'allowed.txt:1: "FIELD_REMOVED Product.sku" needs a change type, a path and a reason',
      'allowed.txt:2: FIELD_DELETED is not a graphql-inspector change type (e.g. FIELD_REMOVED)',
      'allowed.txt:4: FIELD_REMOVED Query.a is listed twice',
    ]);
  });
});

describe('formatSchemaChanges', () => {
  it('summarizes, then lists breaking, dangerous and safe changes', async () => {
    const head = BASE_SDL.replace('  sku: String!\n', '  slug: String\n').replace(
      '  ARCHIVED\n',
      '  ARCHIVED\n  DRAFT\n',
    );
    const verdict = await check(head, 'FIELD_REMOVED Product.sku variants carry it\n');

    const lines = formatSchemaChanges(verdict, 'origin/main');

    expect(lines[0]).toBe('API schema against origin/main: 1 breaking (1 allowed), 1 dangerous, 1 safe');
    expect(lines[1]).toBe(
      "  BREAKING   FIELD_REMOVED Product.sku: Field 'sku' was removed from object type 'Product' (allowed: variants carry it)",
    );
    expect(lines[2]).toMatch(
      /^ {2}DANGEROUS {2}ENUM_VALUE_ADDED ProductStatus\.DRAFT: Enum value 'DRAFT' was added/,
    );
    expect(lines[3]).toBe(
      "  SAFE       FIELD_ADDED Product.slug: Field 'slug' was added to object type 'Product'",
    );
  });

  it('prints a long, multi-line description change on one line, cut at 200 characters', async () => {
    const description = `"""\n${'A very long description. '.repeat(20)}\nSecond line.\n"""`;
    const verdict = await check(BASE_SDL.replace('  sku: String!\n', `  ${description}\n  sku: String!\n`));

    const [summaryLine, ...lines] = formatSchemaChanges(verdict, 'origin/main');

    expect(summaryLine).toBe('API schema against origin/main: 0 breaking (0 allowed), 0 dangerous, 1 safe');
    expect(lines).toHaveLength(1);
    const prefix = '  SAFE       FIELD_DESCRIPTION_ADDED Product.sku: ';
    expect(lines[0]!.startsWith(prefix)).toBe(true);
    expect(lines[0]).not.toContain('\n');
    expect(lines[0]!.slice(prefix.length)).toHaveLength(200);
    expect(lines[0]).toMatch(/\.\.\.$/);
  });

  it('says when nothing changed', async () => {
    expect(formatSchemaChanges(await check(BASE_SDL), 'v1.2.0')).toEqual([
      'API schema against v1.2.0: no changes',
    ]);
  });
});
