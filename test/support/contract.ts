import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, print, type OperationDefinitionNode } from 'graphql';
import { ROOT } from '../../scripts/stack.js';

/** The client contract's operations file (CONTRACT_OPERATIONS overrides the path). */
const file = process.env.CONTRACT_OPERATIONS ?? join(ROOT, '..', 'shared', 'api', 'operations.graphql');
const operations = new Map(
  parse(readFileSync(file, 'utf8'))
    .definitions.filter((d): d is OperationDefinitionNode => d.kind === 'OperationDefinition' && !!d.name)
    .map((d) => [d.name!.value, print(d)]),
);

/** The text of one contract operation, exactly as storefronts send it. */
export function contract(name: string): string {
  const text = operations.get(name);
  if (!text) throw new Error(`operation ${name} is not in ${file}`);
  return text;
}
