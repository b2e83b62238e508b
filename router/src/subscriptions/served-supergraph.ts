import { buildOperationContext } from '@apollo/gateway';
import { operationFromDocument, Supergraph, type Schema } from '@apollo/federation-internals';
import { QueryPlanner, type FetchNode, type PlanNode, type QueryPlan } from '@apollo/query-planner';
import type { DocumentNode, GraphQLSchema } from 'graphql';
import type { AccessRequirements } from '../access-requirements.js';
import type { SubgraphEndpoint } from '../supergraph-sdl.js';

/** A subscription's plan: the fetch that opens the event stream, and what runs for each event. */
export interface SubscriptionPlan {
  primary: FetchNode;
  rest: PlanNode | undefined;
}

/**
 * One loaded supergraph as the subscription transport needs it: the client-facing API schema (the
 * gateway's, to validate against), the access rules, the subgraphs' URLs, and a query planner of its own
 * (the gateway keeps its planner private) with a small plan cache. A new instance is made for every
 * supergraph the gateway loads; live subscriptions switch to the newest on their next event.
 */
export class ServedSupergraph {
  /** Increases with every supergraph the router loads. */
  readonly generation: number;
  readonly apiSchema: GraphQLSchema;
  readonly access: AccessRequirements;
  private readonly endpoints: Map<string, string>;
  private readonly supergraphSchema: GraphQLSchema;
  private readonly federatedApiSchema: Schema;
  private readonly planner: QueryPlanner;
  private readonly plans = new Map<string, SubscriptionPlan>();
  private readonly planCacheSize: number;

  constructor(options: {
    generation: number;
    supergraphSdl: string;
    apiSchema: GraphQLSchema;
    access: AccessRequirements;
    subgraphs: SubgraphEndpoint[];
    /** Plans kept (least recently used dropped first). Default 500. */
    planCacheSize?: number;
  }) {
    const supergraph = Supergraph.build(options.supergraphSdl);
    this.generation = options.generation;
    this.apiSchema = options.apiSchema;
    this.access = options.access;
    this.endpoints = new Map(options.subgraphs.map((s) => [s.name, s.url]));
    this.supergraphSchema = supergraph.schema.toGraphQLJSSchema();
    this.federatedApiSchema = supergraph.apiSchema();
    this.planner = new QueryPlanner(supergraph);
    this.planCacheSize = options.planCacheSize ?? 500;
  }

  /** The names of this supergraph's subgraphs. */
  subgraphNames(): string[] {
    return [...this.endpoints.keys()];
  }

  /** The routing URL of a subgraph of this supergraph. */
  urlOf(subgraph: string): string | undefined {
    return this.endpoints.get(subgraph);
  }

  /**
   * Plans a validated subscription operation. `key` identifies the document (its text and operation
   * name). Throws when the plan is not a subscription plan.
   */
  planSubscription(document: DocumentNode, operationName: string | undefined, key: string): SubscriptionPlan {
    const cached = this.plans.get(key);
    if (cached) {
      this.plans.delete(key);
      this.plans.set(key, cached);
      return cached;
    }
    const operation = operationFromDocument(this.federatedApiSchema, document, {
      ...(operationName ? { operationName } : {}),
    });
    const plan: QueryPlan = this.planner.buildQueryPlan(operation);
    if (plan.node?.kind !== 'Subscription') throw new Error('not a subscription plan');
    const planned = { primary: plan.node.primary, rest: plan.node.rest };
    this.plans.set(key, planned);
    if (this.plans.size > this.planCacheSize) this.plans.delete(this.plans.keys().next().value!);
    return planned;
  }

  /** What `executeQueryPlan` needs besides the plan. */
  executionInput(document: DocumentNode, operationName: string | undefined) {
    const operationContext = buildOperationContext({
      schema: this.apiSchema,
      operationDocument: document,
      ...(operationName ? { operationName } : {}),
    });
    return {
      operationContext,
      supergraphSchema: this.supergraphSchema,
      apiSchema: this.federatedApiSchema,
    };
  }
}
