import type { GraphQLResolveInfo, GraphQLScalarType, GraphQLScalarTypeConfig } from 'graphql';
import type { Product as ProductModel } from '../product.entity.js';
import type { Category as CategoryModel } from '../category.entity.js';
import type { ProductPage as ProductPageModel } from '../product.service.js';
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

/** A catalog category. Every product belongs to exactly one. */
export type Category = {
  __typename?: 'Category';
  /** Stable identifier. */
  id: Scalars['ID']['output'];
  /** Display name. */
  name: Scalars['String']['output'];
  /** How many products are in this category. */
  productCount: Scalars['Int']['output'];
  /** URL name: lowercase ascii words joined by hyphens, unique. */
  slug: Scalars['String']['output'];
};

/** A new category (admin only). */
export type CreateCategoryInput = {
  /** Display name, 1 to 100 characters. */
  name: Scalars['String']['input'];
  /**
   * URL name (lowercase ascii words joined by hyphens, at most 100 characters; a taken slug is CONFLICT).
   * Derived from the name when omitted.
   */
  slug?: InputMaybe<Scalars['String']['input']>;
};

/** A new product (admin only). It starts with no stock. */
export type CreateProductInput = {
  /** The product's category (an unknown id is BAD_USER_INPUT). */
  categoryId: Scalars['ID']['input'];
  /** Long description, at most 5000 characters. */
  description?: InputMaybe<Scalars['String']['input']>;
  /** Display name, 1 to 200 characters. The slug is derived from it. */
  name: Scalars['String']['input'];
  /** Unit price in the store currency; greater than zero. */
  price: Scalars['Decimal']['input'];
  /**
   * Stock keeping unit: 1 to 64 characters of letters, digits, '-', '_' and '.' (surrounding spaces are trimmed);
   * unique case-insensitively (a duplicate is CONFLICT).
   */
  sku: Scalars['String']['input'];
};

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
  /** Creates a category (admin only). */
  createCategory: Category;
  /** Creates a product (admin only) and publishes `products.product.created.v1`. */
  createProduct: Product;
  /** Changes a product (admin only) and publishes `products.product.updated.v1`; an unknown id is NOT_FOUND. */
  updateProduct: Product;
};


export type MutationCreateCategoryArgs = {
  input: CreateCategoryInput;
};


export type MutationCreateProductArgs = {
  input: CreateProductInput;
};


export type MutationUpdateProductArgs = {
  id: Scalars['ID']['input'];
  input: UpdateProductInput;
};

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

/** A product of the catalog. Stock (`inStock`, `availableQuantity`) is owned by the inventory subgraph. */
export type Product = {
  __typename?: 'Product';
  /** The category the product belongs to. */
  category: Category;
  /** When the product was created. */
  createdAt: Scalars['DateTime']['output'];
  /** Long description, at most 5000 characters. */
  description?: Maybe<Scalars['String']['output']>;
  /** Stable identifier. */
  id: Scalars['ID']['output'];
  /** Display name, 1 to 200 characters. */
  name: Scalars['String']['output'];
  /** Current unit price in the store currency. */
  price: Money;
  /** Stock keeping unit: 1 to 64 characters of letters, digits, '-', '_' and '.'; unique case-insensitively. */
  sku: Scalars['String']['output'];
  /** URL name derived from the name at creation, unique; it stays the same when the name changes so links keep working. */
  slug: Scalars['String']['output'];
  /** When the product's catalog data (name, description, price, category) last changed. */
  updatedAt: Scalars['DateTime']['output'];
};

/** A page of a product listing. */
export type ProductConnection = {
  __typename?: 'ProductConnection';
  /** The products of this page, in order. */
  edges: Array<ProductEdge>;
  /** Where this page sits in the listing. */
  pageInfo: PageInfo;
  /** How many products match the filter in all (not just this page). */
  totalCount: Scalars['Int']['output'];
};

/** A product in a listing, with the cursor that points at it. */
export type ProductEdge = {
  __typename?: 'ProductEdge';
  /** Opaque position of this product in the listing; pass it as `after` to get the products that follow. */
  cursor: Scalars['String']['output'];
  /** The product. */
  node: Product;
};

/** Restricts a product listing; every given condition must hold. */
export type ProductFilter = {
  /** Only products of this category (an unknown id is BAD_USER_INPUT). */
  categoryId?: InputMaybe<Scalars['ID']['input']>;
  /**
   * Only products with (true) or without (false) available stock. Eventually consistent: follows inventory's
   * stock events, typically within milliseconds.
   */
  inStock?: InputMaybe<Scalars['Boolean']['input']>;
  /** Only products costing at most this much (inclusive); must not be below `minPrice`. */
  maxPrice?: InputMaybe<Scalars['Decimal']['input']>;
  /** Only products costing at least this much (inclusive). */
  minPrice?: InputMaybe<Scalars['Decimal']['input']>;
  /**
   * Search text: every word must match the start of a word of the name, description or SKU, case-insensitively
   * ("wire head" matches "Wireless Headphones"). At most 200 characters; blank means no search.
   */
  query?: InputMaybe<Scalars['String']['input']>;
};

/** Orders of a product listing. Ties are broken by id so that pagination is stable. */
export type ProductSort =
  /** By name, A to Z, case-insensitively. */
  | 'NAME_ASC'
  /** Most recently created first. */
  | 'NEWEST'
  /** Cheapest first. */
  | 'PRICE_ASC'
  /** Most expensive first. */
  | 'PRICE_DESC'
  /** Best match of `filter.query` first (name and SKU weigh more than the description). Without a query it means NEWEST. */
  | 'RELEVANCE';

export type Query = {
  __typename?: 'Query';
  /** Every category, by name. */
  categories: Array<Category>;
  /** One category by `id` or by `slug` (exactly one of the two); null when there is none. */
  category?: Maybe<Category>;
  /** One product by `id` or by `slug` (exactly one of the two); null when there is none. */
  product?: Maybe<Product>;
  /**
   * A page of products. `first` is 1 to 100 (default 20); `after` is the `endCursor` of the previous page with the same
   * filter and sort. The default sort is RELEVANCE with a `filter.query`, NEWEST without.
   */
  products: ProductConnection;
};


export type QueryCategoryArgs = {
  id?: InputMaybe<Scalars['ID']['input']>;
  slug?: InputMaybe<Scalars['String']['input']>;
};


export type QueryProductArgs = {
  id?: InputMaybe<Scalars['ID']['input']>;
  slug?: InputMaybe<Scalars['String']['input']>;
};


export type QueryProductsArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  filter?: InputMaybe<ProductFilter>;
  first?: InputMaybe<Scalars['Int']['input']>;
  sort?: InputMaybe<ProductSort>;
};

/** Changes to a product (admin only); omitted fields keep their value. The slug never changes. */
export type UpdateProductInput = {
  /** New category (an unknown id is BAD_USER_INPUT). */
  categoryId?: InputMaybe<Scalars['ID']['input']>;
  /** New description, at most 5000 characters; null removes it. */
  description?: InputMaybe<Scalars['String']['input']>;
  /** New display name, 1 to 200 characters. */
  name?: InputMaybe<Scalars['String']['input']>;
  /** New unit price; greater than zero. */
  price?: InputMaybe<Scalars['Decimal']['input']>;
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
  Category: Category;
  Product: Product;
}>;

/** Mapping of federation reference types */
export type FederationReferenceTypes = ResolversObject<{
  Category:
    ( { __typename: 'Category' }
    & GraphQLRecursivePick<FederationTypes['Category'], {"id":true}> );
  Product:
    ( { __typename: 'Product' }
    & GraphQLRecursivePick<FederationTypes['Product'], {"id":true}> );
}>;



/** Mapping between all available schema types and the resolvers types */
export type ResolversTypes = ResolversObject<{
  Category: ResolverTypeWrapper<CategoryModel>;
  ID: ResolverTypeWrapper<Scalars['ID']['output']>;
  String: ResolverTypeWrapper<Scalars['String']['output']>;
  Int: ResolverTypeWrapper<Scalars['Int']['output']>;
  CreateCategoryInput: CreateCategoryInput;
  CreateProductInput: CreateProductInput;
  DateTime: ResolverTypeWrapper<Scalars['DateTime']['output']>;
  Decimal: ResolverTypeWrapper<Scalars['Decimal']['output']>;
  Money: ResolverTypeWrapper<Money>;
  Mutation: ResolverTypeWrapper<Record<PropertyKey, never>>;
  PageInfo: ResolverTypeWrapper<PageInfo>;
  Boolean: ResolverTypeWrapper<Scalars['Boolean']['output']>;
  Product: ResolverTypeWrapper<ProductModel>;
  ProductConnection: ResolverTypeWrapper<ProductPageModel>;
  ProductEdge: ResolverTypeWrapper<Omit<ProductEdge, 'node'> & { node: ResolversTypes['Product'] }>;
  ProductFilter: ProductFilter;
  ProductSort: ProductSort;
  Query: ResolverTypeWrapper<Record<PropertyKey, never>>;
  UpdateProductInput: UpdateProductInput;
}>;

/** Mapping between all available schema types and the resolvers parents */
export type ResolversParentTypes = ResolversObject<{
  Category: CategoryModel;
  ID: Scalars['ID']['output'];
  String: Scalars['String']['output'];
  Int: Scalars['Int']['output'];
  CreateCategoryInput: CreateCategoryInput;
  CreateProductInput: CreateProductInput;
  DateTime: Scalars['DateTime']['output'];
  Decimal: Scalars['Decimal']['output'];
  Money: Money;
  Mutation: Record<PropertyKey, never>;
  PageInfo: PageInfo;
  Boolean: Scalars['Boolean']['output'];
  Product: ProductModel;
  ProductConnection: ProductPageModel;
  ProductEdge: Omit<ProductEdge, 'node'> & { node: ResolversParentTypes['Product'] };
  ProductFilter: ProductFilter;
  Query: Record<PropertyKey, never>;
  UpdateProductInput: UpdateProductInput;
}>;

export type CategoryResolvers<ContextType = Context, ParentType extends ResolversParentTypes['Category'] = ResolversParentTypes['Category'], FederationReferenceType extends FederationReferenceTypes['Category'] = FederationReferenceTypes['Category']> = ResolversObject<{
  __resolveReference?: ReferenceResolver<Maybe<ResolversTypes['Category']> | FederationReferenceType, FederationReferenceType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  name?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  productCount?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  slug?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
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
  createCategory?: Resolver<ResolversTypes['Category'], ParentType, ContextType, RequireFields<MutationCreateCategoryArgs, 'input'>>;
  createProduct?: Resolver<ResolversTypes['Product'], ParentType, ContextType, RequireFields<MutationCreateProductArgs, 'input'>>;
  updateProduct?: Resolver<ResolversTypes['Product'], ParentType, ContextType, RequireFields<MutationUpdateProductArgs, 'id' | 'input'>>;
}>;

export type PageInfoResolvers<ContextType = Context, ParentType extends ResolversParentTypes['PageInfo'] = ResolversParentTypes['PageInfo']> = ResolversObject<{
  endCursor?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  hasNextPage?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
  hasPreviousPage?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
  startCursor?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
}>;

export type ProductResolvers<ContextType = Context, ParentType extends ResolversParentTypes['Product'] = ResolversParentTypes['Product'], FederationReferenceType extends FederationReferenceTypes['Product'] = FederationReferenceTypes['Product']> = ResolversObject<{
  __resolveReference?: ReferenceResolver<Maybe<ResolversTypes['Product']> | FederationReferenceType, FederationReferenceType, ContextType>;
  category?: Resolver<ResolversTypes['Category'], ParentType, ContextType>;
  createdAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  description?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  name?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  price?: Resolver<ResolversTypes['Money'], ParentType, ContextType>;
  sku?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  slug?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  updatedAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
}>;

export type ProductConnectionResolvers<ContextType = Context, ParentType extends ResolversParentTypes['ProductConnection'] = ResolversParentTypes['ProductConnection']> = ResolversObject<{
  edges?: Resolver<Array<ResolversTypes['ProductEdge']>, ParentType, ContextType>;
  pageInfo?: Resolver<ResolversTypes['PageInfo'], ParentType, ContextType>;
  totalCount?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
}>;

export type ProductEdgeResolvers<ContextType = Context, ParentType extends ResolversParentTypes['ProductEdge'] = ResolversParentTypes['ProductEdge']> = ResolversObject<{
  cursor?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  node?: Resolver<ResolversTypes['Product'], ParentType, ContextType>;
}>;

export type QueryResolvers<ContextType = Context, ParentType extends ResolversParentTypes['Query'] = ResolversParentTypes['Query']> = ResolversObject<{
  categories?: Resolver<Array<ResolversTypes['Category']>, ParentType, ContextType>;
  category?: Resolver<Maybe<ResolversTypes['Category']>, ParentType, ContextType, Partial<QueryCategoryArgs>>;
  product?: Resolver<Maybe<ResolversTypes['Product']>, ParentType, ContextType, Partial<QueryProductArgs>>;
  products?: Resolver<ResolversTypes['ProductConnection'], ParentType, ContextType, RequireFields<QueryProductsArgs, 'first'>>;
}>;

export type Resolvers<ContextType = Context> = ResolversObject<{
  Category?: CategoryResolvers<ContextType>;
  DateTime?: GraphQLScalarType;
  Decimal?: GraphQLScalarType;
  Money?: MoneyResolvers<ContextType>;
  Mutation?: MutationResolvers<ContextType>;
  PageInfo?: PageInfoResolvers<ContextType>;
  Product?: ProductResolvers<ContextType>;
  ProductConnection?: ProductConnectionResolvers<ContextType>;
  ProductEdge?: ProductEdgeResolvers<ContextType>;
  Query?: QueryResolvers<ContextType>;
}>;

