import type { GraphQLResolveInfo, GraphQLScalarType, GraphQLScalarTypeConfig } from 'graphql';
import type { Profile as ProfileModel } from '../user.service.js';
import type { Address as AddressModel } from '../address.entity.js';
import type { Context } from '../context.js';
export type Maybe<T> = T | null | undefined;
export type InputMaybe<T> = T | null | undefined;
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
  _FieldSet: { input: unknown; output: unknown; }
};

/** A postal address of a user. */
export type Address = {
  __typename?: 'Address';
  /** The city, 1 to 100 characters. */
  city: Scalars['String']['output'];
  /** The ISO 3166-1 alpha-2 country code, upper case, e.g. `DE`. */
  country: Scalars['String']['output'];
  /** The address id. */
  id: Scalars['ID']['output'];
  /** Whether this is the user's default address; exactly one of a user's addresses is the default. */
  isDefault: Scalars['Boolean']['output'];
  /** The first address line (street and number), 1 to 200 characters. */
  line1: Scalars['String']['output'];
  /** An optional second address line, at most 200 characters. */
  line2?: Maybe<Scalars['String']['output']>;
  /** The postal code, 1 to 20 characters. */
  postalCode: Scalars['String']['output'];
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

export type Mutation = {
  __typename?: 'Mutation';
  /**
   * Adds an address to the signed-in user's profile (at most 20 per user). The first address, or one
   * with `isDefault: true`, becomes the only default. UNAUTHENTICATED when anonymous; BAD_USER_INPUT
   * (with `extensions.field` for a field out of range) otherwise.
   */
  addAddress: Address;
  /**
   * Deletes one of the signed-in user's addresses and returns the profile. When it was the default,
   * the oldest remaining address becomes the default. NOT_FOUND when `id` names no address of the
   * caller; UNAUTHENTICATED when anonymous.
   */
  removeAddress: User;
  /**
   * Makes one of the signed-in user's addresses the only default. NOT_FOUND when `id` names no
   * address of the caller; UNAUTHENTICATED when anonymous.
   */
  setDefaultAddress: Address;
  /**
   * Replaces every field of one of the signed-in user's addresses with `input` (validated as in
   * `addAddress`); `isDefault: true` makes it the only default. NOT_FOUND when `id` names no address
   * of the caller; UNAUTHENTICATED when anonymous; BAD_USER_INPUT as in `addAddress`.
   */
  updateAddress: Address;
  /**
   * Changes the signed-in user's profile and publishes `users.user.updated.v1`. UNAUTHENTICATED when
   * anonymous; BAD_USER_INPUT (with `extensions.field`) for a name out of range.
   */
  updateProfile: User;
};


export type MutationAddAddressArgs = {
  input: AddressInput;
};


export type MutationRemoveAddressArgs = {
  id: Scalars['ID']['input'];
};


export type MutationSetDefaultAddressArgs = {
  id: Scalars['ID']['input'];
};


export type MutationUpdateAddressArgs = {
  id: Scalars['ID']['input'];
  input: AddressInput;
};


export type MutationUpdateProfileArgs = {
  input: UpdateProfileInput;
};

export type Query = {
  __typename?: 'Query';
  /**
   * The signed-in user's profile. Fails with UNAUTHENTICATED without a valid token, or when the token
   * names an account that no longer exists.
   */
  me?: Maybe<User>;
};

/** The profile fields a user may change. */
export type UpdateProfileInput = {
  /** The new display name; surrounding spaces are trimmed, then 1 to 100 characters. */
  name: Scalars['String']['input'];
};

/**
 * A customer. The users subgraph owns the profile (name, addresses); the auth subgraph owns the
 * account (email, roles).
 */
export type User = {
  __typename?: 'User';
  /**
   * The user's postal addresses, oldest first; at most one has `isDefault: true`. Only the user
   * themself or an admin may read them: anyone else gets FORBIDDEN, an anonymous caller UNAUTHENTICATED.
   */
  addresses: Array<Address>;
  /** When the account was registered. */
  createdAt: Scalars['DateTime']['output'];
  /** The account id, the same in every subgraph. */
  id: Scalars['ID']['output'];
  /** The display name, 1 to 100 characters. Changed with `updateProfile`. */
  name: Scalars['String']['output'];
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
  User: User;
}>;

/** Mapping of federation reference types */
export type FederationReferenceTypes = ResolversObject<{
  User:
    ( { __typename: 'User' }
    & GraphQLRecursivePick<FederationTypes['User'], {"id":true}> );
}>;



/** Mapping between all available schema types and the resolvers types */
export type ResolversTypes = ResolversObject<{
  Address: ResolverTypeWrapper<AddressModel>;
  String: ResolverTypeWrapper<Scalars['String']['output']>;
  ID: ResolverTypeWrapper<Scalars['ID']['output']>;
  Boolean: ResolverTypeWrapper<Scalars['Boolean']['output']>;
  AddressInput: AddressInput;
  DateTime: ResolverTypeWrapper<Scalars['DateTime']['output']>;
  Mutation: ResolverTypeWrapper<Record<PropertyKey, never>>;
  Query: ResolverTypeWrapper<Record<PropertyKey, never>>;
  UpdateProfileInput: UpdateProfileInput;
  User: ResolverTypeWrapper<ProfileModel>;
}>;

/** Mapping between all available schema types and the resolvers parents */
export type ResolversParentTypes = ResolversObject<{
  Address: AddressModel;
  String: Scalars['String']['output'];
  ID: Scalars['ID']['output'];
  Boolean: Scalars['Boolean']['output'];
  AddressInput: AddressInput;
  DateTime: Scalars['DateTime']['output'];
  Mutation: Record<PropertyKey, never>;
  Query: Record<PropertyKey, never>;
  UpdateProfileInput: UpdateProfileInput;
  User: ProfileModel;
}>;

export type AddressResolvers<ContextType = Context, ParentType extends ResolversParentTypes['Address'] = ResolversParentTypes['Address']> = ResolversObject<{
  city?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  country?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  isDefault?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
  line1?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  line2?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  postalCode?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
}>;

export interface DateTimeScalarConfig extends GraphQLScalarTypeConfig<ResolversTypes['DateTime'], any> {
  name: 'DateTime';
}

export type MutationResolvers<ContextType = Context, ParentType extends ResolversParentTypes['Mutation'] = ResolversParentTypes['Mutation']> = ResolversObject<{
  addAddress?: Resolver<ResolversTypes['Address'], ParentType, ContextType, RequireFields<MutationAddAddressArgs, 'input'>>;
  removeAddress?: Resolver<ResolversTypes['User'], ParentType, ContextType, RequireFields<MutationRemoveAddressArgs, 'id'>>;
  setDefaultAddress?: Resolver<ResolversTypes['Address'], ParentType, ContextType, RequireFields<MutationSetDefaultAddressArgs, 'id'>>;
  updateAddress?: Resolver<ResolversTypes['Address'], ParentType, ContextType, RequireFields<MutationUpdateAddressArgs, 'id' | 'input'>>;
  updateProfile?: Resolver<ResolversTypes['User'], ParentType, ContextType, RequireFields<MutationUpdateProfileArgs, 'input'>>;
}>;

export type QueryResolvers<ContextType = Context, ParentType extends ResolversParentTypes['Query'] = ResolversParentTypes['Query']> = ResolversObject<{
  me?: Resolver<Maybe<ResolversTypes['User']>, ParentType, ContextType>;
}>;

export type UserResolvers<ContextType = Context, ParentType extends ResolversParentTypes['User'] = ResolversParentTypes['User'], FederationReferenceType extends FederationReferenceTypes['User'] = FederationReferenceTypes['User']> = ResolversObject<{
  __resolveReference?: ReferenceResolver<Maybe<ResolversTypes['User']> | FederationReferenceType, FederationReferenceType, ContextType>;
  addresses?: Resolver<Array<ResolversTypes['Address']>, ParentType, ContextType>;
  createdAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  name?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
}>;

export type Resolvers<ContextType = Context> = ResolversObject<{
  Address?: AddressResolvers<ContextType>;
  DateTime?: GraphQLScalarType;
  Mutation?: MutationResolvers<ContextType>;
  Query?: QueryResolvers<ContextType>;
  User?: UserResolvers<ContextType>;
}>;

