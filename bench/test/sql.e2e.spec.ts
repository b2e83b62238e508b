/**
 * The SQL benchmark's smoke run (`npm run bench:sql` is the real one): a small catalog, one round of
 * every page. Every page must answer what the seeded data gives (the benchmark checks each answer),
 * every fetch of its plan must have been counted by its subgraph once per round, and the catalog page
 * must cost no more statements for six products than for one (no statement per entity), at most one
 * per entity fetch (P2).
 */
import { describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../../scripts/stack.js';

interface Fetch {
  subgraph: string;
  operationName: string;
  entities: boolean;
  operations: number;
  statements: number;
  statementsPerFetch: number;
}
interface Page {
  page: string;
  fetches: Fetch[];
  statementsBySubgraph: Record<string, number>;
  statementsPerPage: number;
}

describe('SQL benchmark, smoke run', () => {
  it('counts the statements of every fetch of every page, per subgraph, and the catalog page meets P2', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bench-sql-smoke-'));
    const out = join(dir, 'sql.json');
    try {
      const args = ['--import', 'tsx', 'bench/sql.ts', '--products', '8', '--page', '6', '--rounds', '1'];
      args.push('--out', out);
      const printed = await new Promise<string>((resolve, reject) =>
        execFile(process.execPath, args, { cwd: ROOT, timeout: 170_000 }, (error, stdout, stderr) =>
          error ? reject(new Error(`${error.message}\n${stdout}\n${stderr}`)) : resolve(stdout),
        ),
      );
      const { pages, targets } = JSON.parse(readFileSync(out, 'utf8')) as {
        pages: Page[];
        targets: { p2: { met: boolean; worstEntityFetch: number } };
      };
      expect(pages.map((p) => p.page)).toEqual([
        'CatalogPage',
        'CatalogPage (1 product)',
        'Products',
        'Product',
        'Cart',
        'MyOrders',
        'Order',
        'MyNotifications',
        'ForYou',
        'Me',
      ]);
      for (const page of pages) {
        // Every page is federated: a root fetch and at least one entity fetch, each counted once.
        expect(page.fetches.filter((f) => !f.entities)).toHaveLength(1);
        expect(page.fetches.filter((f) => f.entities).length).toBeGreaterThan(0);
        for (const f of page.fetches)
          expect({ op: f.operationName, n: f.operations }).toEqual({ op: f.operationName, n: 1 });
        // Reading a page takes SQL somewhere: the counting reached the subgraphs.
        expect(page.statementsPerPage).toBeGreaterThan(0);
      }
      const catalog = pages.find((p) => p.page === 'CatalogPage')!;
      const single = pages.find((p) => p.page === 'CatalogPage (1 product)')!;
      expect(catalog.fetches.map((f) => f.subgraph)).toEqual(
        expect.arrayContaining(['products', 'inventory', 'recommendations']),
      );
      expect(catalog.statementsBySubgraph).toEqual(single.statementsBySubgraph);
      for (const f of catalog.fetches.filter((f) => f.entities))
        expect(f.statementsPerFetch).toBeLessThanOrEqual(1);
      expect(targets.p2.met).toBe(true);
      expect(printed).toMatch(/P2 sql: .* met/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 180_000);
});
