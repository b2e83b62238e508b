import { readFileSync } from 'node:fs';
import { parse, print, type OperationDefinitionNode } from 'graphql';
import { contractOperationsFile } from '../../schema/src/supergraph/contract.js';

/** The client contract's operations (schema/contract/operations.graphql; CONTRACT_OPERATIONS overrides it). */
const file = contractOperationsFile();
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
