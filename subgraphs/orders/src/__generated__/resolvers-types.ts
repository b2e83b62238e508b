import type { GraphQLResolveInfo, GraphQLScalarType, GraphQLScalarTypeConfig } from 'graphql';
import type { OrderView as OrderViewModel } from '../order-view.js';
import type { Context } from '../context.js';
export type Maybe<T> = T | null | undefined;
export type InputMaybe<T> = T | null | undefined;
export type Omit<T, K extends keyof T> = Pick<T, Exclude<keyof T, K>>;
export type RequireFields<T, K extends keyof T> = Omit<T, K> & { [P in K]-?: NonNullable<T[P]> };
/** All built-in and custom scalars, mapped to their actual values */
export type Scalars = {
  ID: { input: string; output: string; }
  String: { input: string; output: string; }
  Boolean: { input: boolean; output: boolean; }
  Int: { input: number; output: number; }
  Float: { input: number; output: number; }
  /** An instant in time, as an ISO-8601 string in UTC, e.g. `2026-01-31T12:00:00.000Z`. */
  DateTime: { input: Date | string; output: Date | string; }
  /** A decimal amount as a string with the currency's minor digits, e.g. "19.99". Never a float. */
  Decimal: { input: string; output: string; }
  _FieldSet: { input: unknown; output: unknown; }
};

/** A new postal address. Surrounding spaces are trimmed from every field. */
export type AddressInput = {
  /** The city, 1 to 100 characters. */
  city: Scalars['String']['input'];
  /** An assigned ISO 3166-1 alpha-2 country code, in any case (`de` is stored as `DE`). */
  country: Scalars['String']['input'];
  /**
   * `true` makes this the default address (the previous default stops being one). `false` or absent
   * leaves the default where it is: a user's first address becomes the default whatever this says, and
   * the default only moves to another address, it is never just cleared.
   */
  isDefault?: InputMaybe<Scalars['Boolean']['input']>;
  /** The first address line, 1 to 200 characters. */
  line1: Scalars['String']['input'];
  /** An optional second address line, at most 200 characters; empty means none. */
  line2?: InputMaybe<Scalars['String']['input']>;
  /** The postal code, 1 to 20 characters. */
  postalCode: Scalars['String']['input'];
};

/** Why an order was cancelled. */
export type CancellationReason =
  /** The customer (or an admin) cancelled the order with `cancelOrder`. */
  | 'CUSTOMER_CANCELLED'
  /**
   * The order was not settled in time: it was still waiting for its stock or its payment when the
   * settlement timeout passed, or its reserved stock was released because the reservation expired.
   * A payment taken for it is refunded.
   */
  | 'EXPIRED'
  /** Some line could not be reserved: not enough stock. */
  | 'OUT_OF_STOCK'
  /** The payment provider declined the charge. */
  | 'PAYMENT_DECLINED';

/** An amount of money in one currency. */
export type Money = {
  __typename?: 'Money';
  /** The amount with the currency's minor digits, e.g. "19.99". */
  amount: Scalars['Decimal']['output'];
  /** ISO 4217 currency code, e.g. "USD". */
  currencyCode: Scalars['String']['output'];
};

export type Mutation = {
  __typename?: 'Mutation';
  /**
   * Cancels an order that is not CANCELLED yet (reason CUSTOMER_CANCELLED) and publishes
   * `orders.order.cancelled.v1`: reserved stock returns, a succeeded payment is refunded. Only the order's
   * customer or an admin may; NOT_FOUND for an unknown order or someone else's; BAD_USER_INPUT when it is
   * already cancelled.
   */
  cancelOrder: Order;
  /**
   * Places an order for the signed-in customer: prices every line from the catalog now, stores it
   * PENDING and publishes `orders.order.placed.v1`; stock and payment then settle it through events.
   * UNAUTHENTICATED when signed out; BAD_USER_INPUT (with `extensions.field`) for bad input or an unknown
   * product; CONFLICT for an idempotency key reused with other input.
   */
  placeOrder: Order;
};


export type MutationCancelOrderArgs = {
  id: Scalars['ID']['input'];
};


export type MutationPlaceOrderArgs = {
  input: PlaceOrderInput;
};

/** An order of a customer. Owned by the orders subgraph; the payments subgraph adds its `payment`. */
export type Order = {
  __typename?: 'Order';
  /** Why the order was cancelled; null unless `status` is CANCELLED. */
  cancellationReason?: Maybe<CancellationReason>;
  /** When the order was placed. */
  createdAt: Scalars['DateTime']['output'];
  /** The customer who placed the order. */
  customer: User;
  /** Stable identifier. */
  id: Scalars['ID']['output'];
  /** The ordered lines, in the order they were given. */
  items: Array<OrderItem>;
  /** Where the order is shipped. */
  shippingAddress: ShippingAddress;
  /** Where the order stands. */
  status: OrderStatus;
  /** Every status the order entered with its time, oldest first (starts with PENDING). */
  statusHistory: Array<StatusChange>;
  /** The sum of the lines' totals. */
  total: Money;
  /** When the status last changed. */
  updatedAt: Scalars['DateTime']['output'];
};

/** A page of a customer's orders, newest first. */
export type OrderConnection = {
  __typename?: 'OrderConnection';
  /** The orders of this page. */
  edges: Array<OrderEdge>;
  /** Where this page sits in the whole list. */
  pageInfo: PageInfo;
  /** How many orders the customer has in all. */
  totalCount: Scalars['Int']['output'];
};

/** One order in a page of orders. */
export type OrderEdge = {
  __typename?: 'OrderEdge';
  /** Where this order sits in the list; pass it as `after` to continue after it. */
  cursor: Scalars['String']['output'];
  /** The order. */
  node: Order;
};

/** One line of an order, priced from the catalog when the order was placed. */
export type OrderItem = {
  __typename?: 'OrderItem';
  /** `unitPrice` times `quantity`. */
  lineTotal: Money;
  /** The product ordered. */
  product: Product;
  /** How many units were ordered (1 to 100). */
  quantity: Scalars['Int']['output'];
  /** The product's catalog price when the order was placed (later catalog changes do not touch it). */
  unitPrice: Money;
};

/** One line of a new order. The price is never sent: it is taken from the catalog. */
export type OrderItemInput = {
  /** The product to order; BAD_USER_INPUT when the catalog does not know it. */
  productId: Scalars['ID']['input'];
  /**
   * How many units, 1 to 100. Lines naming the same product are merged (their quantities added, the sum
   * still at most 100).
   */
  quantity: Scalars['Int']['input'];
};

/** Where an order stands. `PENDING -> RESERVED -> CONFIRMED`, or `CANCELLED` from any other status. */
export type OrderStatus =
  /** Cancelled (see `cancellationReason`); final. */
  | 'CANCELLED'
  /** Stock reserved and payment succeeded. */
  | 'CONFIRMED'
  /** Placed and priced; its stock is being reserved. */
  | 'PENDING'
  /** Every line's stock is held for the order; its payment is being charged. */
  | 'RESERVED';

/** Where a page of a connection sits in the whole list (Relay cursor connections). */
export type PageInfo = {
  __typename?: 'PageInfo';
  /** The cursor of the last edge of this page (pass it as `after` for the next page); null when the page is empty. */
  endCursor?: Maybe<Scalars['String']['output']>;
  /** True when more items follow the last edge of this page. */
  hasNextPage: Scalars['Boolean']['output'];
  /** True when items precede the first edge of this page (this page was asked for with `after`). */
  hasPreviousPage: Scalars['Boolean']['output'];
  /** The cursor of the first edge of this page; null when the page is empty. */
  startCursor?: Maybe<Scalars['String']['output']>;
};

/** What `placeOrder` needs. */
export type PlaceOrderInput = {
  /**
   * 1 to 100 characters chosen by the client, unique per order of this customer: sending the same key
   * again returns the same order (CONFLICT when the rest of the input differs).
   */
  idempotencyKey: Scalars['String']['input'];
  /** 1 to 50 lines. */
  items: Array<OrderItemInput>;
  /** The payment provider's token, starting with `tok_`; charged once after the stock is reserved. */
  paymentToken: Scalars['String']['input'];
  /** Where to ship the order (`isDefault` is ignored here). */
  shippingAddress: AddressInput;
};

/** A product of the catalog. Stock (`inStock`, `availableQuantity`) is owned by the inventory subgraph. */
export type Product = {
  __typename?: 'Product';
  /** Stable identifier. */
  id: Scalars['ID']['output'];
};

export type Query = {
  __typename?: 'Query';
  /**
   * An order by id: the signed-in customer's own (any order for an admin), or null when it does not
   * exist or belongs to someone else. UNAUTHENTICATED when signed out.
   */
  order?: Maybe<Order>;
};


export type QueryOrderArgs = {
  id: Scalars['ID']['input'];
};

/** The postal address an order is shipped to, as given when it was placed. */
export type ShippingAddress = {
  __typename?: 'ShippingAddress';
  /** The city. */
  city: Scalars['String']['output'];
  /** ISO 3166-1 alpha-2 country code, upper case, e.g. "DE". */
  country: Scalars['String']['output'];
  /** The first address line. */
  line1: Scalars['String']['output'];
  /** The second address line, or null. */
  line2?: Maybe<Scalars['String']['output']>;
  /** The postal code. */
  postalCode: Scalars['String']['output'];
};

/** One step of an order's life: the status it entered and when. */
export type StatusChange = {
  __typename?: 'StatusChange';
  /** When it entered it. */
  at: Scalars['DateTime']['output'];
  /** The status the order entered. */
  status: OrderStatus;
};

/** Live updates, over graphql-ws through the router (`connection_init` carries the access token). */
export type Subscription = {
  __typename?: 'Subscription';
  /**
   * Follows one order: first the order's current state, then every change of its status in order (no
   * gap, no duplicate), and it completes after CONFIRMED or CANCELLED (at once for an order that is
   * already there). Only the order's customer (or an admin) may subscribe: NOT_FOUND, with no data, for
   * an unknown or malformed id and for someone else's order (as `order(id)` hides them);
   * UNAUTHENTICATED when signed out, and when the access token expires during the subscription.
   */
  orderStatusChanged: Order;
};


/** Live updates, over graphql-ws through the router (`connection_init` carries the access token). */
export type SubscriptionOrderStatusChangedArgs = {
  orderId: Scalars['ID']['input'];
};

/**
 * A customer. The users subgraph owns the profile (name, addresses); the auth subgraph owns the
 * account (email, roles).
 */
export type User = {
  __typename?: 'User';
  /** The account id, the same in every subgraph. */
  id: Scalars['ID']['output'];
  /**
   * The user's orders, newest first. Only the user themself or an admin may read them (FORBIDDEN
   * otherwise, UNAUTHENTICATED when signed out). `first` is 1 to 100; `after` is an `endCursor` of a
   * previous page (BAD_USER_INPUT when malformed).
   */
  orders: OrderConnection;
};


/**
 * A customer. The users subgraph owns the profile (name, addresses); the auth subgraph owns the
 * account (email, roles).
 */
export type UserOrdersArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
};

export type WithIndex<TObject> = TObject & Record<string, any>;
export type ResolversObject<TObject> = WithIndex<TObject>;

export type ResolverTypeWrapper<T> = Promise<T> | T;

export type ReferenceResolver<TResult, TReference, TContext> = (
      reference: TReference,
      context: TContext,
      info: GraphQLResolveInfo
    ) => Promise<TResult> | TResult;

      type ScalarCheck<T, S> = S extends true ? T : NullableCheck<T, S>;
      type NullableCheck<T, S> = Maybe<T> extends T ? Maybe<ListCheck<NonNullable<T>, S>> : ListCheck<T, S>;
      type ListCheck<T, S> = T extends (infer U)[] ? NullableCheck<U, S>[] : GraphQLRecursivePick<T, S>;
      export type GraphQLRecursivePick<T, S> = { [K in keyof T & keyof S]: ScalarCheck<T[K], S[K]> };
    

export type ResolverWithResolve<TResult, TParent, TContext, TArgs> = {
  resolve: ResolverFn<TResult, TParent, TContext, TArgs>;
};
export type Resolver<TResult, TParent = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>, TArgs = Record<PropertyKey, never>> = ResolverFn<TResult, TParent, TContext, TArgs> | ResolverWithResolve<TResult, TParent, TContext, TArgs>;

export type ResolverFn<TResult, TParent, TContext, TArgs> = (
  parent: TParent,
  args: TArgs,
  context: TContext,
  info: GraphQLResolveInfo
) => Promise<TResult> | TResult;

export type SubscriptionSubscribeFn<TResult, TParent, TContext, TArgs> = (
  parent: TParent,
  args: TArgs,
  context: TContext,
  info: GraphQLResolveInfo
) => AsyncIterable<TResult> | Promise<AsyncIterable<TResult>>;

export type SubscriptionResolveFn<TResult, TParent, TContext, TArgs> = (
  parent: TParent,
  args: TArgs,
  context: TContext,
  info: GraphQLResolveInfo
) => TResult | Promise<TResult>;

export interface SubscriptionSubscriberObject<TResult, TKey extends string, TParent, TContext, TArgs> {
  subscribe: SubscriptionSubscribeFn<{ [key in TKey]: TResult }, TParent, TContext, TArgs>;
  resolve?: SubscriptionResolveFn<TResult, { [key in TKey]: TResult }, TContext, TArgs>;
}

export interface SubscriptionResolverObject<TResult, TParent, TContext, TArgs> {
  subscribe: SubscriptionSubscribeFn<any, TParent, TContext, TArgs>;
  resolve: SubscriptionResolveFn<TResult, any, TContext, TArgs>;
}

export type SubscriptionObject<TResult, TKey extends string, TParent, TContext, TArgs> =
  | SubscriptionSubscriberObject<TResult, TKey, TParent, TContext, TArgs>
  | SubscriptionResolverObject<TResult, TParent, TContext, TArgs>;

export type SubscriptionResolver<TResult, TKey extends string, TParent = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>, TArgs = Record<PropertyKey, never>> =
  | ((...args: any[]) => SubscriptionObject<TResult, TKey, TParent, TContext, TArgs>)
  | SubscriptionObject<TResult, TKey, TParent, TContext, TArgs>;

export type TypeResolveFn<TTypes, TParent = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>> = (
  parent: TParent,
  context: TContext,
  info: GraphQLResolveInfo
) => Maybe<TTypes> | Promise<Maybe<TTypes>>;

export type IsTypeOfResolverFn<T = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>> = (obj: T, context: TContext, info: GraphQLResolveInfo) => boolean | Promise<boolean>;

export type NextResolverFn<T> = () => Promise<T>;

export type DirectiveResolverFn<TResult = Record<PropertyKey, never>, TParent = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>, TArgs = Record<PropertyKey, never>> = (
  next: NextResolverFn<TResult>,
  parent: TParent,
  args: TArgs,
  context: TContext,
  info: GraphQLResolveInfo
) => TResult | Promise<TResult>;

/** Mapping of federation types */
export type FederationTypes = ResolversObject<{
  Order: Order;
  User: User;
}>;

/** Mapping of federation reference types */
export type FederationReferenceTypes = ResolversObject<{
  Order:
    ( { __typename: 'Order' }
    & GraphQLRecursivePick<FederationTypes['Order'], {"id":true}> );
  User:
    ( { __typename: 'User' }
    & GraphQLRecursivePick<FederationTypes['User'], {"id":true}> );
}>;



/** Mapping between all available schema types and the resolvers types */
export type ResolversTypes = ResolversObject<{
  AddressInput: AddressInput;
  String: ResolverTypeWrapper<Scalars['String']['output']>;
  Boolean: ResolverTypeWrapper<Scalars['Boolean']['output']>;
  CancellationReason: CancellationReason;
  DateTime: ResolverTypeWrapper<Scalars['DateTime']['output']>;
  Decimal: ResolverTypeWrapper<Scalars['Decimal']['output']>;
  Money: ResolverTypeWrapper<Money>;
  Mutation: ResolverTypeWrapper<Record<PropertyKey, never>>;
  ID: ResolverTypeWrapper<Scalars['ID']['output']>;
  Order: ResolverTypeWrapper<OrderViewModel>;
  OrderConnection: ResolverTypeWrapper<Omit<OrderConnection, 'edges'> & { edges: Array<ResolversTypes['OrderEdge']> }>;
  Int: ResolverTypeWrapper<Scalars['Int']['output']>;
  OrderEdge: ResolverTypeWrapper<Omit<OrderEdge, 'node'> & { node: ResolversTypes['Order'] }>;
  OrderItem: ResolverTypeWrapper<Omit<OrderItem, 'product'> & { product: ResolversTypes['Product'] }>;
  OrderItemInput: OrderItemInput;
  OrderStatus: OrderStatus;
  PageInfo: ResolverTypeWrapper<PageInfo>;
  PlaceOrderInput: PlaceOrderInput;
  Product: ResolverTypeWrapper<{ id: string }>;
  Query: ResolverTypeWrapper<Record<PropertyKey, never>>;
  ShippingAddress: ResolverTypeWrapper<ShippingAddress>;
  StatusChange: ResolverTypeWrapper<StatusChange>;
  Subscription: ResolverTypeWrapper<Record<PropertyKey, never>>;
  User: ResolverTypeWrapper<{ id: string }>;
}>;

/** Mapping between all available schema types and the resolvers parents */
export type ResolversParentTypes = ResolversObject<{
  AddressInput: AddressInput;
  String: Scalars['String']['output'];
  Boolean: Scalars['Boolean']['output'];
  DateTime: Scalars['DateTime']['output'];
  Decimal: Scalars['Decimal']['output'];
  Money: Money;
  Mutation: Record<PropertyKey, never>;
  ID: Scalars['ID']['output'];
  Order: OrderViewModel;
  OrderConnection: Omit<OrderConnection, 'edges'> & { edges: Array<ResolversParentTypes['OrderEdge']> };
  Int: Scalars['Int']['output'];
  OrderEdge: Omit<OrderEdge, 'node'> & { node: ResolversParentTypes['Order'] };
  OrderItem: Omit<OrderItem, 'product'> & { product: ResolversParentTypes['Product'] };
  OrderItemInput: OrderItemInput;
  PageInfo: PageInfo;
  PlaceOrderInput: PlaceOrderInput;
  Product: { id: string };
  Query: Record<PropertyKey, never>;
  ShippingAddress: ShippingAddress;
  StatusChange: StatusChange;
  Subscription: Record<PropertyKey, never>;
  User: { id: string };
}>;

export interface DateTimeScalarConfig extends GraphQLScalarTypeConfig<ResolversTypes['DateTime'], any> {
  name: 'DateTime';
}

export interface DecimalScalarConfig extends GraphQLScalarTypeConfig<ResolversTypes['Decimal'], any> {
  name: 'Decimal';
}

export type MoneyResolvers<ContextType = Context, ParentType extends ResolversParentTypes['Money'] = ResolversParentTypes['Money']> = ResolversObject<{
  amount?: Resolver<ResolversTypes['Decimal'], ParentType, ContextType>;
  currencyCode?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
}>;

export type MutationResolvers<ContextType = Context, ParentType extends ResolversParentTypes['Mutation'] = ResolversParentTypes['Mutation']> = ResolversObject<{
  cancelOrder?: Resolver<ResolversTypes['Order'], ParentType, ContextType, RequireFields<MutationCancelOrderArgs, 'id'>>;
  placeOrder?: Resolver<ResolversTypes['Order'], ParentType, ContextType, RequireFields<MutationPlaceOrderArgs, 'input'>>;
}>;

export type OrderResolvers<ContextType = Context, ParentType extends ResolversParentTypes['Order'] = ResolversParentTypes['Order'], FederationReferenceType extends FederationReferenceTypes['Order'] = FederationReferenceTypes['Order']> = ResolversObject<{
  __resolveReference?: ReferenceResolver<Maybe<ResolversTypes['Order']> | FederationReferenceType, FederationReferenceType, ContextType>;
  cancellationReason?: Resolver<Maybe<ResolversTypes['CancellationReason']>, ParentType, ContextType>;
  createdAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  customer?: Resolver<ResolversTypes['User'], ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  items?: Resolver<Array<ResolversTypes['OrderItem']>, ParentType, ContextType>;
  shippingAddress?: Resolver<ResolversTypes['ShippingAddress'], ParentType, ContextType>;
  status?: Resolver<ResolversTypes['OrderStatus'], ParentType, ContextType>;
  statusHistory?: Resolver<Array<ResolversTypes['StatusChange']>, ParentType, ContextType>;
  total?: Resolver<ResolversTypes['Money'], ParentType, ContextType>;
  updatedAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
}>;

export type OrderConnectionResolvers<ContextType = Context, ParentType extends ResolversParentTypes['OrderConnection'] = ResolversParentTypes['OrderConnection']> = ResolversObject<{
  edges?: Resolver<Array<ResolversTypes['OrderEdge']>, ParentType, ContextType>;
  pageInfo?: Resolver<ResolversTypes['PageInfo'], ParentType, ContextType>;
  totalCount?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
}>;

export type OrderEdgeResolvers<ContextType = Context, ParentType extends ResolversParentTypes['OrderEdge'] = ResolversParentTypes['OrderEdge']> = ResolversObject<{
  cursor?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  node?: Resolver<ResolversTypes['Order'], ParentType, ContextType>;
}>;

export type OrderItemResolvers<ContextType = Context, ParentType extends ResolversParentTypes['OrderItem'] = ResolversParentTypes['OrderItem']> = ResolversObject<{
  lineTotal?: Resolver<ResolversTypes['Money'], ParentType, ContextType>;
  product?: Resolver<ResolversTypes['Product'], ParentType, ContextType>;
  quantity?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  unitPrice?: Resolver<ResolversTypes['Money'], ParentType, ContextType>;
}>;

export type PageInfoResolvers<ContextType = Context, ParentType extends ResolversParentTypes['PageInfo'] = ResolversParentTypes['PageInfo']> = ResolversObject<{
  endCursor?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  hasNextPage?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
  hasPreviousPage?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
  startCursor?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
}>;

export type ProductResolvers<ContextType = Context, ParentType extends ResolversParentTypes['Product'] = ResolversParentTypes['Product']> = ResolversObject<{
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
}>;

export type QueryResolvers<ContextType = Context, ParentType extends ResolversParentTypes['Query'] = ResolversParentTypes['Query']> = ResolversObject<{
  order?: Resolver<Maybe<ResolversTypes['Order']>, ParentType, ContextType, RequireFields<QueryOrderArgs, 'id'>>;
}>;

export type ShippingAddressResolvers<ContextType = Context, ParentType extends ResolversParentTypes['ShippingAddress'] = ResolversParentTypes['ShippingAddress']> = ResolversObject<{
  city?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  country?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  line1?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  line2?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  postalCode?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
}>;

export type StatusChangeResolvers<ContextType = Context, ParentType extends ResolversParentTypes['StatusChange'] = ResolversParentTypes['StatusChange']> = ResolversObject<{
  at?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  status?: Resolver<ResolversTypes['OrderStatus'], ParentType, ContextType>;
}>;

export type SubscriptionResolvers<ContextType = Context, ParentType extends ResolversParentTypes['Subscription'] = ResolversParentTypes['Subscription']> = ResolversObject<{
  orderStatusChanged?: SubscriptionResolver<ResolversTypes['Order'], "orderStatusChanged", ParentType, ContextType, RequireFields<SubscriptionOrderStatusChangedArgs, 'orderId'>>;
}>;

export type UserResolvers<ContextType = Context, ParentType extends ResolversParentTypes['User'] = ResolversParentTypes['User'], FederationReferenceType extends FederationReferenceTypes['User'] = FederationReferenceTypes['User']> = ResolversObject<{
  __resolveReference?: ReferenceResolver<Maybe<ResolversTypes['User']> | FederationReferenceType, FederationReferenceType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  orders?: Resolver<ResolversTypes['OrderConnection'], ParentType, ContextType, RequireFields<UserOrdersArgs, 'first'>>;
}>;

export type Resolvers<ContextType = Context> = ResolversObject<{
  DateTime?: GraphQLScalarType;
  Decimal?: GraphQLScalarType;
  Money?: MoneyResolvers<ContextType>;
  Mutation?: MutationResolvers<ContextType>;
  Order?: OrderResolvers<ContextType>;
  OrderConnection?: OrderConnectionResolvers<ContextType>;
  OrderEdge?: OrderEdgeResolvers<ContextType>;
  OrderItem?: OrderItemResolvers<ContextType>;
  PageInfo?: PageInfoResolvers<ContextType>;
  Product?: ProductResolvers<ContextType>;
  Query?: QueryResolvers<ContextType>;
  ShippingAddress?: ShippingAddressResolvers<ContextType>;
  StatusChange?: StatusChangeResolvers<ContextType>;
  Subscription?: SubscriptionResolvers<ContextType>;
  User?: UserResolvers<ContextType>;
}>;

