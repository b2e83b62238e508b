/* eslint-disable */
import * as types from './graphql';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "fragment SessionUser on User {\n  id\n  email\n  name\n  roles\n}\n\nmutation SignUp($input: RegisterInput!) {\n  register(input: $input) {\n    accessToken\n    refreshToken\n    expiresIn\n    user {\n      ...SessionUser\n    }\n  }\n}\n\nmutation SignIn($email: String!, $password: String!) {\n  login(email: $email, password: $password) {\n    accessToken\n    refreshToken\n    expiresIn\n    user {\n      ...SessionUser\n    }\n  }\n}\n\nmutation RotateSession($refreshToken: String!) {\n  refreshSession(refreshToken: $refreshToken) {\n    accessToken\n    refreshToken\n    expiresIn\n  }\n}\n\nmutation SignOut($refreshToken: String!) {\n  logout(refreshToken: $refreshToken)\n}": typeof types.SessionUserFragmentDoc,
    "fragment CartLines on Cart {\n  id\n  totalQuantity\n  subtotal {\n    amount\n    currencyCode\n  }\n  items {\n    quantity\n    lineTotal {\n      amount\n      currencyCode\n    }\n    product {\n      id\n      name\n      price {\n        amount\n        currencyCode\n      }\n      inStock\n    }\n  }\n}\n\nquery StorefrontCart {\n  cart {\n    ...CartLines\n  }\n}\n\nmutation AddToCart($productId: ID!, $quantity: Int!) {\n  addToCart(productId: $productId, quantity: $quantity) {\n    ...CartLines\n  }\n}\n\nmutation ChangeCartQuantity($productId: ID!, $quantity: Int!) {\n  updateCartItem(productId: $productId, quantity: $quantity) {\n    ...CartLines\n  }\n}\n\nmutation RemoveCartLine($productId: ID!) {\n  removeFromCart(productId: $productId) {\n    ...CartLines\n  }\n}": typeof types.CartLinesFragmentDoc,
    "query StorefrontCategories {\n  categories {\n    id\n    slug\n    name\n    productCount\n  }\n}\n\nquery StorefrontProducts($first: Int, $after: String, $filter: ProductFilter, $sort: ProductSort) {\n  products(first: $first, after: $after, filter: $filter, sort: $sort) {\n    totalCount\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n    edges {\n      cursor\n      node {\n        ...ProductCard\n      }\n    }\n  }\n}": typeof types.StorefrontCategoriesDocument,
    "fragment ProductCard on Product {\n  id\n  slug\n  name\n  price {\n    amount\n    currencyCode\n  }\n  category {\n    id\n    name\n  }\n  inStock\n  availableQuantity\n}": typeof types.ProductCardFragmentDoc,
    "mutation Checkout($input: PlaceOrderInput!) {\n  placeOrder(input: $input) {\n    id\n    status\n  }\n}": typeof types.CheckoutDocument,
    "fragment OrderDetails on Order {\n  id\n  status\n  cancellationReason\n  createdAt\n  updatedAt\n  total {\n    amount\n    currencyCode\n  }\n  shippingAddress {\n    line1\n    city\n    postalCode\n    country\n  }\n  items {\n    quantity\n    unitPrice {\n      amount\n      currencyCode\n    }\n    product {\n      id\n      name\n    }\n  }\n  payment {\n    id\n    status\n  }\n}\n\nquery StorefrontOrder($id: ID!) {\n  order(id: $id) {\n    ...OrderDetails\n  }\n}\n\nsubscription TrackOrder($orderId: ID!) {\n  orderStatusChanged(orderId: $orderId) {\n    id\n    status\n    cancellationReason\n    updatedAt\n  }\n}": typeof types.OrderDetailsFragmentDoc,
    "query StorefrontProduct($id: ID!) {\n  product(id: $id) {\n    id\n    sku\n    slug\n    name\n    description\n    price {\n      amount\n      currencyCode\n    }\n    category {\n      id\n      name\n    }\n    inStock\n    availableQuantity\n    recommendations(first: 4) {\n      ...ProductCard\n    }\n  }\n}": typeof types.StorefrontProductDocument,
};
const documents: Documents = {
    "fragment SessionUser on User {\n  id\n  email\n  name\n  roles\n}\n\nmutation SignUp($input: RegisterInput!) {\n  register(input: $input) {\n    accessToken\n    refreshToken\n    expiresIn\n    user {\n      ...SessionUser\n    }\n  }\n}\n\nmutation SignIn($email: String!, $password: String!) {\n  login(email: $email, password: $password) {\n    accessToken\n    refreshToken\n    expiresIn\n    user {\n      ...SessionUser\n    }\n  }\n}\n\nmutation RotateSession($refreshToken: String!) {\n  refreshSession(refreshToken: $refreshToken) {\n    accessToken\n    refreshToken\n    expiresIn\n  }\n}\n\nmutation SignOut($refreshToken: String!) {\n  logout(refreshToken: $refreshToken)\n}": types.SessionUserFragmentDoc,
    "fragment CartLines on Cart {\n  id\n  totalQuantity\n  subtotal {\n    amount\n    currencyCode\n  }\n  items {\n    quantity\n    lineTotal {\n      amount\n      currencyCode\n    }\n    product {\n      id\n      name\n      price {\n        amount\n        currencyCode\n      }\n      inStock\n    }\n  }\n}\n\nquery StorefrontCart {\n  cart {\n    ...CartLines\n  }\n}\n\nmutation AddToCart($productId: ID!, $quantity: Int!) {\n  addToCart(productId: $productId, quantity: $quantity) {\n    ...CartLines\n  }\n}\n\nmutation ChangeCartQuantity($productId: ID!, $quantity: Int!) {\n  updateCartItem(productId: $productId, quantity: $quantity) {\n    ...CartLines\n  }\n}\n\nmutation RemoveCartLine($productId: ID!) {\n  removeFromCart(productId: $productId) {\n    ...CartLines\n  }\n}": types.CartLinesFragmentDoc,
    "query StorefrontCategories {\n  categories {\n    id\n    slug\n    name\n    productCount\n  }\n}\n\nquery StorefrontProducts($first: Int, $after: String, $filter: ProductFilter, $sort: ProductSort) {\n  products(first: $first, after: $after, filter: $filter, sort: $sort) {\n    totalCount\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n    edges {\n      cursor\n      node {\n        ...ProductCard\n      }\n    }\n  }\n}": types.StorefrontCategoriesDocument,
    "fragment ProductCard on Product {\n  id\n  slug\n  name\n  price {\n    amount\n    currencyCode\n  }\n  category {\n    id\n    name\n  }\n  inStock\n  availableQuantity\n}": types.ProductCardFragmentDoc,
    "mutation Checkout($input: PlaceOrderInput!) {\n  placeOrder(input: $input) {\n    id\n    status\n  }\n}": types.CheckoutDocument,
    "fragment OrderDetails on Order {\n  id\n  status\n  cancellationReason\n  createdAt\n  updatedAt\n  total {\n    amount\n    currencyCode\n  }\n  shippingAddress {\n    line1\n    city\n    postalCode\n    country\n  }\n  items {\n    quantity\n    unitPrice {\n      amount\n      currencyCode\n    }\n    product {\n      id\n      name\n    }\n  }\n  payment {\n    id\n    status\n  }\n}\n\nquery StorefrontOrder($id: ID!) {\n  order(id: $id) {\n    ...OrderDetails\n  }\n}\n\nsubscription TrackOrder($orderId: ID!) {\n  orderStatusChanged(orderId: $orderId) {\n    id\n    status\n    cancellationReason\n    updatedAt\n  }\n}": types.OrderDetailsFragmentDoc,
    "query StorefrontProduct($id: ID!) {\n  product(id: $id) {\n    id\n    sku\n    slug\n    name\n    description\n    price {\n      amount\n      currencyCode\n    }\n    category {\n      id\n      name\n    }\n    inStock\n    availableQuantity\n    recommendations(first: 4) {\n      ...ProductCard\n    }\n  }\n}": types.StorefrontProductDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "fragment SessionUser on User {\n  id\n  email\n  name\n  roles\n}\n\nmutation SignUp($input: RegisterInput!) {\n  register(input: $input) {\n    accessToken\n    refreshToken\n    expiresIn\n    user {\n      ...SessionUser\n    }\n  }\n}\n\nmutation SignIn($email: String!, $password: String!) {\n  login(email: $email, password: $password) {\n    accessToken\n    refreshToken\n    expiresIn\n    user {\n      ...SessionUser\n    }\n  }\n}\n\nmutation RotateSession($refreshToken: String!) {\n  refreshSession(refreshToken: $refreshToken) {\n    accessToken\n    refreshToken\n    expiresIn\n  }\n}\n\nmutation SignOut($refreshToken: String!) {\n  logout(refreshToken: $refreshToken)\n}"): (typeof documents)["fragment SessionUser on User {\n  id\n  email\n  name\n  roles\n}\n\nmutation SignUp($input: RegisterInput!) {\n  register(input: $input) {\n    accessToken\n    refreshToken\n    expiresIn\n    user {\n      ...SessionUser\n    }\n  }\n}\n\nmutation SignIn($email: String!, $password: String!) {\n  login(email: $email, password: $password) {\n    accessToken\n    refreshToken\n    expiresIn\n    user {\n      ...SessionUser\n    }\n  }\n}\n\nmutation RotateSession($refreshToken: String!) {\n  refreshSession(refreshToken: $refreshToken) {\n    accessToken\n    refreshToken\n    expiresIn\n  }\n}\n\nmutation SignOut($refreshToken: String!) {\n  logout(refreshToken: $refreshToken)\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "fragment CartLines on Cart {\n  id\n  totalQuantity\n  subtotal {\n    amount\n    currencyCode\n  }\n  items {\n    quantity\n    lineTotal {\n      amount\n      currencyCode\n    }\n    product {\n      id\n      name\n      price {\n        amount\n        currencyCode\n      }\n      inStock\n    }\n  }\n}\n\nquery StorefrontCart {\n  cart {\n    ...CartLines\n  }\n}\n\nmutation AddToCart($productId: ID!, $quantity: Int!) {\n  addToCart(productId: $productId, quantity: $quantity) {\n    ...CartLines\n  }\n}\n\nmutation ChangeCartQuantity($productId: ID!, $quantity: Int!) {\n  updateCartItem(productId: $productId, quantity: $quantity) {\n    ...CartLines\n  }\n}\n\nmutation RemoveCartLine($productId: ID!) {\n  removeFromCart(productId: $productId) {\n    ...CartLines\n  }\n}"): (typeof documents)["fragment CartLines on Cart {\n  id\n  totalQuantity\n  subtotal {\n    amount\n    currencyCode\n  }\n  items {\n    quantity\n    lineTotal {\n      amount\n      currencyCode\n    }\n    product {\n      id\n      name\n      price {\n        amount\n        currencyCode\n      }\n      inStock\n    }\n  }\n}\n\nquery StorefrontCart {\n  cart {\n    ...CartLines\n  }\n}\n\nmutation AddToCart($productId: ID!, $quantity: Int!) {\n  addToCart(productId: $productId, quantity: $quantity) {\n    ...CartLines\n  }\n}\n\nmutation ChangeCartQuantity($productId: ID!, $quantity: Int!) {\n  updateCartItem(productId: $productId, quantity: $quantity) {\n    ...CartLines\n  }\n}\n\nmutation RemoveCartLine($productId: ID!) {\n  removeFromCart(productId: $productId) {\n    ...CartLines\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query StorefrontCategories {\n  categories {\n    id\n    slug\n    name\n    productCount\n  }\n}\n\nquery StorefrontProducts($first: Int, $after: String, $filter: ProductFilter, $sort: ProductSort) {\n  products(first: $first, after: $after, filter: $filter, sort: $sort) {\n    totalCount\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n    edges {\n      cursor\n      node {\n        ...ProductCard\n      }\n    }\n  }\n}"): (typeof documents)["query StorefrontCategories {\n  categories {\n    id\n    slug\n    name\n    productCount\n  }\n}\n\nquery StorefrontProducts($first: Int, $after: String, $filter: ProductFilter, $sort: ProductSort) {\n  products(first: $first, after: $after, filter: $filter, sort: $sort) {\n    totalCount\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n    edges {\n      cursor\n      node {\n        ...ProductCard\n      }\n    }\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "fragment ProductCard on Product {\n  id\n  slug\n  name\n  price {\n    amount\n    currencyCode\n  }\n  category {\n    id\n    name\n  }\n  inStock\n  availableQuantity\n}"): (typeof documents)["fragment ProductCard on Product {\n  id\n  slug\n  name\n  price {\n    amount\n    currencyCode\n  }\n  category {\n    id\n    name\n  }\n  inStock\n  availableQuantity\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation Checkout($input: PlaceOrderInput!) {\n  placeOrder(input: $input) {\n    id\n    status\n  }\n}"): (typeof documents)["mutation Checkout($input: PlaceOrderInput!) {\n  placeOrder(input: $input) {\n    id\n    status\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "fragment OrderDetails on Order {\n  id\n  status\n  cancellationReason\n  createdAt\n  updatedAt\n  total {\n    amount\n    currencyCode\n  }\n  shippingAddress {\n    line1\n    city\n    postalCode\n    country\n  }\n  items {\n    quantity\n    unitPrice {\n      amount\n      currencyCode\n    }\n    product {\n      id\n      name\n    }\n  }\n  payment {\n    id\n    status\n  }\n}\n\nquery StorefrontOrder($id: ID!) {\n  order(id: $id) {\n    ...OrderDetails\n  }\n}\n\nsubscription TrackOrder($orderId: ID!) {\n  orderStatusChanged(orderId: $orderId) {\n    id\n    status\n    cancellationReason\n    updatedAt\n  }\n}"): (typeof documents)["fragment OrderDetails on Order {\n  id\n  status\n  cancellationReason\n  createdAt\n  updatedAt\n  total {\n    amount\n    currencyCode\n  }\n  shippingAddress {\n    line1\n    city\n    postalCode\n    country\n  }\n  items {\n    quantity\n    unitPrice {\n      amount\n      currencyCode\n    }\n    product {\n      id\n      name\n    }\n  }\n  payment {\n    id\n    status\n  }\n}\n\nquery StorefrontOrder($id: ID!) {\n  order(id: $id) {\n    ...OrderDetails\n  }\n}\n\nsubscription TrackOrder($orderId: ID!) {\n  orderStatusChanged(orderId: $orderId) {\n    id\n    status\n    cancellationReason\n    updatedAt\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query StorefrontProduct($id: ID!) {\n  product(id: $id) {\n    id\n    sku\n    slug\n    name\n    description\n    price {\n      amount\n      currencyCode\n    }\n    category {\n      id\n      name\n    }\n    inStock\n    availableQuantity\n    recommendations(first: 4) {\n      ...ProductCard\n    }\n  }\n}"): (typeof documents)["query StorefrontProduct($id: ID!) {\n  product(id: $id) {\n    id\n    sku\n    slug\n    name\n    description\n    price {\n      amount\n      currencyCode\n    }\n    category {\n      id\n      name\n    }\n    inStock\n    availableQuantity\n    recommendations(first: 4) {\n      ...ProductCard\n    }\n  }\n}"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;