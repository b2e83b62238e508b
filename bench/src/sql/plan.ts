/**
 * What the SQL benchmark reads: the fetches of the router's query plan (`Apollo-Query-Plan-Experimental`,
 * internal format) and the statements each subgraph recorded per operation on its /metrics
 * (`graphql_operation_sql_statements`).
 */

/** One fetch of a query plan: which subgraph, under which operation name, and whether it is an entity fetch. */
export interface PlannedFetch {
  subgraph: string;
  operationName: string;
  /** True for an `_entities` fetch (it `requires` representations); false for a root field fetch. */
  entities: boolean;
}

interface PlanNode {
  kind: string;
  serviceName?: string;
  operationName?: string;
  requires?: unknown[];
  node?: PlanNode;
  nodes?: PlanNode[];
  [other: string]: unknown;
}

/** Every fetch of `plan` (a query plan or any of its nodes), in plan order (depth first). */
export function fetchesOf(plan: unknown): PlannedFetch[] {
  const fetches: PlannedFetch[] = [];
  const visit = (node: PlanNode | undefined) => {
    if (!node || typeof node !== 'object') return;
    if (node.kind === 'Fetch') {
      if (!node.serviceName || !node.operationName)
        throw new Error(`a fetch of the plan has no subgraph or operation name: ${JSON.stringify(node)}`);
      fetches.push({
        subgraph: node.serviceName,
        operationName: node.operationName,
        entities: Array.isArray(node.requires) && node.requires.length > 0,
      });
      return;
    }
    visit(node.node);
    for (const child of node.nodes ?? []) visit(child);
    for (const key of ['then', 'else', 'ifClause', 'elseClause'] as const)
      visit(node[key] as PlanNode | undefined);
  };
  visit(plan as PlanNode);
  return fetches;
}

/** Sum and count of one operation's `graphql_operation_sql_statements` histogram. */
export interface StatementTotals {
  statements: number;
  operations: number;
}

const SERIES = /^graphql_operation_sql_statements_(sum|count)\{([^}]*)\} (\S+)$/;

/** Statement totals by operation name from a Prometheus text exposition (every `type` added up). */
export function statementsByOperation(exposition: string): Map<string, StatementTotals> {
  const totals = new Map<string, StatementTotals>();
  for (const line of exposition.split('\n')) {
    const match = SERIES.exec(line);
    if (!match) continue;
    const [, part, labels, value] = match;
    const operation = /(?:^|,)operation="((?:[^"\\]|\\.)*)"/.exec(labels!)?.[1];
    if (operation === undefined) continue;
    const entry = totals.get(operation) ?? { statements: 0, operations: 0 };
    if (part === 'sum') entry.statements += Number(value);
    else entry.operations += Number(value);
    totals.set(operation, entry);
  }
  return totals;
}

/** What `after` holds beyond `before` for `operation` (zero when neither has it). */
export function statementsBetween(
  before: Map<string, StatementTotals>,
  after: Map<string, StatementTotals>,
  operation: string,
): StatementTotals {
  const a = before.get(operation) ?? { statements: 0, operations: 0 };
  const b = after.get(operation) ?? { statements: 0, operations: 0 };
  return { statements: b.statements - a.statements, operations: b.operations - a.operations };
}
