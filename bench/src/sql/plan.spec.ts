import { describe, expect, it } from '@jest/globals';
import { fetchesOf, statementsBetween, statementsByOperation } from './plan.js';

describe('SQL benchmark: plan and metrics reading', () => {
  it('lists the fetches of a nested plan in order, telling entity fetches from root fetches', () => {
    const plan = {
      kind: 'QueryPlan',
      node: {
        kind: 'Sequence',
        nodes: [
          { kind: 'Fetch', serviceName: 'products', operationName: 'Page__products__0', variableUsages: [] },
          {
            kind: 'Parallel',
            nodes: [
              {
                kind: 'Flatten',
                path: ['products', 'edges', '@', 'node'],
                node: {
                  kind: 'Fetch',
                  serviceName: 'inventory',
                  operationName: 'Page__inventory__1',
                  requires: [{}],
                },
              },
              {
                kind: 'Flatten',
                node: {
                  kind: 'Fetch',
                  serviceName: 'recommendations',
                  operationName: 'Page__recommendations__2',
                  requires: [{}],
                },
              },
            ],
          },
          {
            kind: 'Condition',
            ifClause: {
              kind: 'Fetch',
              serviceName: 'products',
              operationName: 'Page__products__3',
              requires: [{}],
            },
          },
        ],
      },
    };
    expect(fetchesOf(plan)).toEqual([
      { subgraph: 'products', operationName: 'Page__products__0', entities: false },
      { subgraph: 'inventory', operationName: 'Page__inventory__1', entities: true },
      { subgraph: 'recommendations', operationName: 'Page__recommendations__2', entities: true },
      { subgraph: 'products', operationName: 'Page__products__3', entities: true },
    ]);
    expect(() => fetchesOf({ kind: 'QueryPlan', node: { kind: 'Fetch', serviceName: 'x' } })).toThrow(
      /no subgraph or operation name/,
    );
  });

  it('reads statement totals per operation from /metrics and the difference between two readings', () => {
    const before = statementsByOperation(
      [
        '# HELP graphql_operation_sql_statements SQL statements',
        'graphql_operation_sql_statements_bucket{le="1",operation="Page__inventory__1",type="query",service="inventory"} 2',
        'graphql_operation_sql_statements_sum{operation="Page__inventory__1",type="query",service="inventory"} 2',
        'graphql_operation_sql_statements_count{operation="Page__inventory__1",type="query",service="inventory"} 2',
        'graphql_operation_duration_seconds_sum{operation="Page__inventory__1",type="query",service="inventory"} 0.5',
      ].join('\n'),
    );
    const after = statementsByOperation(
      [
        'graphql_operation_sql_statements_sum{operation="Page__inventory__1",type="query",service="inventory"} 5',
        'graphql_operation_sql_statements_count{operation="Page__inventory__1",type="query",service="inventory"} 5',
        'graphql_operation_sql_statements_sum{operation="Other",type="mutation",service="inventory"} 7',
        'graphql_operation_sql_statements_count{operation="Other",type="mutation",service="inventory"} 1',
      ].join('\n'),
    );
    expect(after.get('Other')).toEqual({ statements: 7, operations: 1 });
    expect(statementsBetween(before, after, 'Page__inventory__1')).toEqual({ statements: 3, operations: 3 });
    expect(statementsBetween(before, after, 'Missing')).toEqual({ statements: 0, operations: 0 });
  });
});
