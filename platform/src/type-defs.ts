import { readFileSync } from 'node:fs';
import { parse, type DocumentNode } from 'graphql';

/**
 * A subgraph's SDL file, parsed: `loadTypeDefs(new URL('../orders.graphql', import.meta.url))`.
 * Write the call exactly like that (a `new URL` of a literal path relative to `import.meta.url`):
 * `npm run build` replaces it with the document parsed at build time, so compiled services neither
 * read nor parse SDL when they start. From source (tsx, specs) it reads and parses the file.
 */
export function loadTypeDefs(file: URL): DocumentNode {
  return parse(readFileSync(file, 'utf8'), { noLocation: true });
}
