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
    "mutation RotateSession($refreshToken: String!) {\n  refreshSession(refreshToken: $refreshToken) {\n    accessToken\n    refreshToken\n    expiresIn\n  }\n}": typeof types.RotateSessionDocument,
    "fragment SessionUser on User {\n  id\n  email\n  name\n  roles\n}": typeof types.SessionUserFragmentDoc,
    "mutation SignIn($email: String!, $password: String!) {\n  login(email: $email, password: $password) {\n    accessToken\n    refreshToken\n    expiresIn\n    user {\n      ...SessionUser\n    }\n  }\n}": typeof types.SignInDocument,
    "mutation SignOut($refreshToken: String!) {\n  logout(refreshToken: $refreshToken)\n}": typeof types.SignOutDocument,
    "mutation SignUp($input: RegisterInput!) {\n  register(input: $input) {\n    accessToken\n    refreshToken\n    expiresIn\n    user {\n      ...SessionUser\n    }\n  }\n}": typeof types.SignUpDocument,
    "mutation AdminAdjustStock($productId: ID!, $delta: Int!) {\n  adjustStock(productId: $productId, delta: $delta) {\n    id\n    availableQuantity\n    inStock\n  }\n}": typeof types.AdminAdjustStockDocument,
    "mutation AdminCreateProduct($input: CreateProductInput!) {\n  createProduct(input: $input) {\n    id\n    name\n    price {\n      amount\n      currencyCode\n    }\n  }\n}": typeof types.AdminCreateProductDocument,
    "mutation AdminUpdateProduct($id: ID!, $input: UpdateProductInput!) {\n  updateProduct(id: $id, input: $input) {\n    id\n    name\n    price {\n      amount\n      currencyCode\n    }\n  }\n}": typeof types.AdminUpdateProductDocument,
    "mutation AddToCart($productId: ID!, $quantity: Int!) {\n  addToCart(productId: $productId, quantity: $quantity) {\n    ...CartLines\n  }\n}": typeof types.AddToCartDocument,
    "fragment CartLines on Cart {\n  id\n  totalQuantity\n  subtotal {\n    amount\n    currencyCode\n  }\n  items {\n    quantity\n    lineTotal {\n      amount\n      currencyCode\n    }\n    product {\n      id\n      name\n      price {\n        amount\n        currencyCode\n      }\n      inStock\n    }\n  }\n}": typeof types.CartLinesFragmentDoc,
    "mutation ChangeCartQuantity($productId: ID!, $quantity: Int!) {\n  updateCartItem(productId: $productId, quantity: $quantity) {\n    ...CartLines\n  }\n}": typeof types.ChangeCartQuantityDocument,
    "mutation RemoveCartLine($productId: ID!) {\n  removeFromCart(productId: $productId) {\n    ...CartLines\n  }\n}": typeof types.RemoveCartLineDocument,
    "query StorefrontCart {\n  cart {\n    ...CartLines\n  }\n}": typeof types.StorefrontCartDocument,
    "query ForYouProducts($first: Int) {\n  me {\n    id\n    recommendedProducts(first: $first) {\n      ...ProductCard\n    }\n  }\n}": typeof types.ForYouProductsDocument,
    "fragment ProductCard on Product {\n  id\n  slug\n  name\n  price {\n    amount\n    currencyCode\n  }\n  category {\n    id\n    name\n  }\n  inStock\n  availableQuantity\n}": typeof types.ProductCardFragmentDoc,
    "query StorefrontCategories {\n  categories {\n    id\n    slug\n    name\n    productCount\n  }\n}": typeof types.StorefrontCategoriesDocument,
    "query StorefrontProducts($first: Int, $after: String, $filter: ProductFilter, $sort: ProductSort) {\n  products(first: $first, after: $after, filter: $filter, sort: $sort) {\n    totalCount\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n    edges {\n      cursor\n      node {\n        ...ProductCard\n      }\n    }\n  }\n}": typeof types.StorefrontProductsDocument,
    "mutation Checkout($input: PlaceOrderInput!) {\n  placeOrder(input: $input) {\n    id\n    status\n  }\n}": typeof types.CheckoutDocument,
    "fragment BellNotification on Notification {\n  id\n  type\n  title\n  body\n  read\n  createdAt\n  order {\n    id\n    status\n  }\n}": typeof types.BellNotificationFragmentDoc,
    "query BellNotifications($first: Int) {\n  me {\n    id\n    notifications(first: $first) {\n      totalCount\n      unreadCount\n      edges {\n        node {\n          ...BellNotification\n        }\n      }\n    }\n  }\n}": typeof types.BellNotificationsDocument,
    "mutation MarkAllRead {\n  markAllNotificationsRead\n}": typeof types.MarkAllReadDocument,
    "subscription NotificationAdded {\n  notificationAdded {\n    ...BellNotification\n  }\n}": typeof types.NotificationAddedDocument,
    "fragment OrderDetails on Order {\n  id\n  status\n  cancellationReason\n  createdAt\n  updatedAt\n  total {\n    amount\n    currencyCode\n  }\n  shippingAddress {\n    line1\n    city\n    postalCode\n    country\n  }\n  items {\n    quantity\n    unitPrice {\n      amount\n      currencyCode\n    }\n    product {\n      id\n      name\n    }\n  }\n  payment {\n    id\n    status\n  }\n}": typeof types.OrderDetailsFragmentDoc,
    "query StorefrontOrder($id: ID!) {\n  order(id: $id) {\n    ...OrderDetails\n  }\n}": typeof types.StorefrontOrderDocument,
    "subscription TrackOrder($orderId: ID!) {\n  orderStatusChanged(orderId: $orderId) {\n    id\n    status\n    cancellationReason\n    updatedAt\n  }\n}": typeof types.TrackOrderDocument,
    "query StorefrontProduct($id: ID!) {\n  product(id: $id) {\n    id\n    sku\n    slug\n    name\n    description\n    price {\n      amount\n      currencyCode\n    }\n    category {\n      id\n      name\n    }\n    inStock\n    availableQuantity\n    recommendations(first: 4) {\n      ...ProductCard\n    }\n  }\n}": typeof types.StorefrontProductDocument,
};
const documents: Documents = {
    "mutation RotateSession($refreshToken: String!) {\n  refreshSession(refreshToken: $refreshToken) {\n    accessToken\n    refreshToken\n    expiresIn\n  }\n}": types.RotateSessionDocument,
    "fragment SessionUser on User {\n  id\n  email\n  name\n  roles\n}": types.SessionUserFragmentDoc,
    "mutation SignIn($email: String!, $password: String!) {\n  login(email: $email, password: $password) {\n    accessToken\n    refreshToken\n    expiresIn\n    user {\n      ...SessionUser\n    }\n  }\n}": types.SignInDocument,
    "mutation SignOut($refreshToken: String!) {\n  logout(refreshToken: $refreshToken)\n}": types.SignOutDocument,
    "mutation SignUp($input: RegisterInput!) {\n  register(input: $input) {\n    accessToken\n    refreshToken\n    expiresIn\n    user {\n      ...SessionUser\n    }\n  }\n}": types.SignUpDocument,
    "mutation AdminAdjustStock($productId: ID!, $delta: Int!) {\n  adjustStock(productId: $productId, delta: $delta) {\n    id\n    availableQuantity\n    inStock\n  }\n}": types.AdminAdjustStockDocument,
    "mutation AdminCreateProduct($input: CreateProductInput!) {\n  createProduct(input: $input) {\n    id\n    name\n    price {\n      amount\n      currencyCode\n    }\n  }\n}": types.AdminCreateProductDocument,
    "mutation AdminUpdateProduct($id: ID!, $input: UpdateProductInput!) {\n  updateProduct(id: $id, input: $input) {\n    id\n    name\n    price {\n      amount\n      currencyCode\n    }\n  }\n}": types.AdminUpdateProductDocument,
    "mutation AddToCart($productId: ID!, $quantity: Int!) {\n  addToCart(productId: $productId, quantity: $quantity) {\n    ...CartLines\n  }\n}": types.AddToCartDocument,
    "fragment CartLines on Cart {\n  id\n  totalQuantity\n  subtotal {\n    amount\n    currencyCode\n  }\n  items {\n    quantity\n    lineTotal {\n      amount\n      currencyCode\n    }\n    product {\n      id\n      name\n      price {\n        amount\n        currencyCode\n      }\n      inStock\n    }\n  }\n}": types.CartLinesFragmentDoc,
    "mutation ChangeCartQuantity($productId: ID!, $quantity: Int!) {\n  updateCartItem(productId: $productId, quantity: $quantity) {\n    ...CartLines\n  }\n}": types.ChangeCartQuantityDocument,
    "mutation RemoveCartLine($productId: ID!) {\n  removeFromCart(productId: $productId) {\n    ...CartLines\n  }\n}": types.RemoveCartLineDocument,
    "query StorefrontCart {\n  cart {\n    ...CartLines\n  }\n}": types.StorefrontCartDocument,
    "query ForYouProducts($first: Int) {\n  me {\n    id\n    recommendedProducts(first: $first) {\n      ...ProductCard\n    }\n  }\n}": types.ForYouProductsDocument,
    "fragment ProductCard on Product {\n  id\n  slug\n  name\n  price {\n    amount\n    currencyCode\n  }\n  category {\n    id\n    name\n  }\n  inStock\n  availableQuantity\n}": types.ProductCardFragmentDoc,
    "query StorefrontCategories {\n  categories {\n    id\n    slug\n    name\n    productCount\n  }\n}": types.StorefrontCategoriesDocument,
    "query StorefrontProducts($first: Int, $after: String, $filter: ProductFilter, $sort: ProductSort) {\n  products(first: $first, after: $after, filter: $filter, sort: $sort) {\n    totalCount\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n    edges {\n      cursor\n      node {\n        ...ProductCard\n      }\n    }\n  }\n}": types.StorefrontProductsDocument,
    "mutation Checkout($input: PlaceOrderInput!) {\n  placeOrder(input: $input) {\n    id\n    status\n  }\n}": types.CheckoutDocument,
    "fragment BellNotification on Notification {\n  id\n  type\n  title\n  body\n  read\n  createdAt\n  order {\n    id\n    status\n  }\n}": types.BellNotificationFragmentDoc,
    "query BellNotifications($first: Int) {\n  me {\n    id\n    notifications(first: $first) {\n      totalCount\n      unreadCount\n      edges {\n        node {\n          ...BellNotification\n        }\n      }\n    }\n  }\n}": types.BellNotificationsDocument,
    "mutation MarkAllRead {\n  markAllNotificationsRead\n}": types.MarkAllReadDocument,
    "subscription NotificationAdded {\n  notificationAdded {\n    ...BellNotification\n  }\n}": types.NotificationAddedDocument,
    "fragment OrderDetails on Order {\n  id\n  status\n  cancellationReason\n  createdAt\n  updatedAt\n  total {\n    amount\n    currencyCode\n  }\n  shippingAddress {\n    line1\n    city\n    postalCode\n    country\n  }\n  items {\n    quantity\n    unitPrice {\n      amount\n      currencyCode\n    }\n    product {\n      id\n      name\n    }\n  }\n  payment {\n    id\n    status\n  }\n}": types.OrderDetailsFragmentDoc,
    "query StorefrontOrder($id: ID!) {\n  order(id: $id) {\n    ...OrderDetails\n  }\n}": types.StorefrontOrderDocument,
    "subscription TrackOrder($orderId: ID!) {\n  orderStatusChanged(orderId: $orderId) {\n    id\n    status\n    cancellationReason\n    updatedAt\n  }\n}": types.TrackOrderDocument,
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
export function graphql(source: "mutation RotateSession($refreshToken: String!) {\n  refreshSession(refreshToken: $refreshToken) {\n    accessToken\n    refreshToken\n    expiresIn\n  }\n}"): (typeof documents)["mutation RotateSession($refreshToken: String!) {\n  refreshSession(refreshToken: $refreshToken) {\n    accessToken\n    refreshToken\n    expiresIn\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "fragment SessionUser on User {\n  id\n  email\n  name\n  roles\n}"): (typeof documents)["fragment SessionUser on User {\n  id\n  email\n  name\n  roles\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation SignIn($email: String!, $password: String!) {\n  login(email: $email, password: $password) {\n    accessToken\n    refreshToken\n    expiresIn\n    user {\n      ...SessionUser\n    }\n  }\n}"): (typeof documents)["mutation SignIn($email: String!, $password: String!) {\n  login(email: $email, password: $password) {\n    accessToken\n    refreshToken\n    expiresIn\n    user {\n      ...SessionUser\n    }\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation SignOut($refreshToken: String!) {\n  logout(refreshToken: $refreshToken)\n}"): (typeof documents)["mutation SignOut($refreshToken: String!) {\n  logout(refreshToken: $refreshToken)\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation SignUp($input: RegisterInput!) {\n  register(input: $input) {\n    accessToken\n    refreshToken\n    expiresIn\n    user {\n      ...SessionUser\n    }\n  }\n}"): (typeof documents)["mutation SignUp($input: RegisterInput!) {\n  register(input: $input) {\n    accessToken\n    refreshToken\n    expiresIn\n    user {\n      ...SessionUser\n    }\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation AdminAdjustStock($productId: ID!, $delta: Int!) {\n  adjustStock(productId: $productId, delta: $delta) {\n    id\n    availableQuantity\n    inStock\n  }\n}"): (typeof documents)["mutation AdminAdjustStock($productId: ID!, $delta: Int!) {\n  adjustStock(productId: $productId, delta: $delta) {\n    id\n    availableQuantity\n    inStock\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation AdminCreateProduct($input: CreateProductInput!) {\n  createProduct(input: $input) {\n    id\n    name\n    price {\n      amount\n      currencyCode\n    }\n  }\n}"): (typeof documents)["mutation AdminCreateProduct($input: CreateProductInput!) {\n  createProduct(input: $input) {\n    id\n    name\n    price {\n      amount\n      currencyCode\n    }\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation AdminUpdateProduct($id: ID!, $input: UpdateProductInput!) {\n  updateProduct(id: $id, input: $input) {\n    id\n    name\n    price {\n      amount\n      currencyCode\n    }\n  }\n}"): (typeof documents)["mutation AdminUpdateProduct($id: ID!, $input: UpdateProductInput!) {\n  updateProduct(id: $id, input: $input) {\n    id\n    name\n    price {\n      amount\n      currencyCode\n    }\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation AddToCart($productId: ID!, $quantity: Int!) {\n  addToCart(productId: $productId, quantity: $quantity) {\n    ...CartLines\n  }\n}"): (typeof documents)["mutation AddToCart($productId: ID!, $quantity: Int!) {\n  addToCart(productId: $productId, quantity: $quantity) {\n    ...CartLines\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "fragment CartLines on Cart {\n  id\n  totalQuantity\n  subtotal {\n    amount\n    currencyCode\n  }\n  items {\n    quantity\n    lineTotal {\n      amount\n      currencyCode\n    }\n    product {\n      id\n      name\n      price {\n        amount\n        currencyCode\n      }\n      inStock\n    }\n  }\n}"): (typeof documents)["fragment CartLines on Cart {\n  id\n  totalQuantity\n  subtotal {\n    amount\n    currencyCode\n  }\n  items {\n    quantity\n    lineTotal {\n      amount\n      currencyCode\n    }\n    product {\n      id\n      name\n      price {\n        amount\n        currencyCode\n      }\n      inStock\n    }\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation ChangeCartQuantity($productId: ID!, $quantity: Int!) {\n  updateCartItem(productId: $productId, quantity: $quantity) {\n    ...CartLines\n  }\n}"): (typeof documents)["mutation ChangeCartQuantity($productId: ID!, $quantity: Int!) {\n  updateCartItem(productId: $productId, quantity: $quantity) {\n    ...CartLines\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation RemoveCartLine($productId: ID!) {\n  removeFromCart(productId: $productId) {\n    ...CartLines\n  }\n}"): (typeof documents)["mutation RemoveCartLine($productId: ID!) {\n  removeFromCart(productId: $productId) {\n    ...CartLines\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query StorefrontCart {\n  cart {\n    ...CartLines\n  }\n}"): (typeof documents)["query StorefrontCart {\n  cart {\n    ...CartLines\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query ForYouProducts($first: Int) {\n  me {\n    id\n    recommendedProducts(first: $first) {\n      ...ProductCard\n    }\n  }\n}"): (typeof documents)["query ForYouProducts($first: Int) {\n  me {\n    id\n    recommendedProducts(first: $first) {\n      ...ProductCard\n    }\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "fragment ProductCard on Product {\n  id\n  slug\n  name\n  price {\n    amount\n    currencyCode\n  }\n  category {\n    id\n    name\n  }\n  inStock\n  availableQuantity\n}"): (typeof documents)["fragment ProductCard on Product {\n  id\n  slug\n  name\n  price {\n    amount\n    currencyCode\n  }\n  category {\n    id\n    name\n  }\n  inStock\n  availableQuantity\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query StorefrontCategories {\n  categories {\n    id\n    slug\n    name\n    productCount\n  }\n}"): (typeof documents)["query StorefrontCategories {\n  categories {\n    id\n    slug\n    name\n    productCount\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query StorefrontProducts($first: Int, $after: String, $filter: ProductFilter, $sort: ProductSort) {\n  products(first: $first, after: $after, filter: $filter, sort: $sort) {\n    totalCount\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n    edges {\n      cursor\n      node {\n        ...ProductCard\n      }\n    }\n  }\n}"): (typeof documents)["query StorefrontProducts($first: Int, $after: String, $filter: ProductFilter, $sort: ProductSort) {\n  products(first: $first, after: $after, filter: $filter, sort: $sort) {\n    totalCount\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n    edges {\n      cursor\n      node {\n        ...ProductCard\n      }\n    }\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation Checkout($input: PlaceOrderInput!) {\n  placeOrder(input: $input) {\n    id\n    status\n  }\n}"): (typeof documents)["mutation Checkout($input: PlaceOrderInput!) {\n  placeOrder(input: $input) {\n    id\n    status\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "fragment BellNotification on Notification {\n  id\n  type\n  title\n  body\n  read\n  createdAt\n  order {\n    id\n    status\n  }\n}"): (typeof documents)["fragment BellNotification on Notification {\n  id\n  type\n  title\n  body\n  read\n  createdAt\n  order {\n    id\n    status\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query BellNotifications($first: Int) {\n  me {\n    id\n    notifications(first: $first) {\n      totalCount\n      unreadCount\n      edges {\n        node {\n          ...BellNotification\n        }\n      }\n    }\n  }\n}"): (typeof documents)["query BellNotifications($first: Int) {\n  me {\n    id\n    notifications(first: $first) {\n      totalCount\n      unreadCount\n      edges {\n        node {\n          ...BellNotification\n        }\n      }\n    }\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation MarkAllRead {\n  markAllNotificationsRead\n}"): (typeof documents)["mutation MarkAllRead {\n  markAllNotificationsRead\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "subscription NotificationAdded {\n  notificationAdded {\n    ...BellNotification\n  }\n}"): (typeof documents)["subscription NotificationAdded {\n  notificationAdded {\n    ...BellNotification\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "fragment OrderDetails on Order {\n  id\n  status\n  cancellationReason\n  createdAt\n  updatedAt\n  total {\n    amount\n    currencyCode\n  }\n  shippingAddress {\n    line1\n    city\n    postalCode\n    country\n  }\n  items {\n    quantity\n    unitPrice {\n      amount\n      currencyCode\n    }\n    product {\n      id\n      name\n    }\n  }\n  payment {\n    id\n    status\n  }\n}"): (typeof documents)["fragment OrderDetails on Order {\n  id\n  status\n  cancellationReason\n  createdAt\n  updatedAt\n  total {\n    amount\n    currencyCode\n  }\n  shippingAddress {\n    line1\n    city\n    postalCode\n    country\n  }\n  items {\n    quantity\n    unitPrice {\n      amount\n      currencyCode\n    }\n    product {\n      id\n      name\n    }\n  }\n  payment {\n    id\n    status\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query StorefrontOrder($id: ID!) {\n  order(id: $id) {\n    ...OrderDetails\n  }\n}"): (typeof documents)["query StorefrontOrder($id: ID!) {\n  order(id: $id) {\n    ...OrderDetails\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "subscription TrackOrder($orderId: ID!) {\n  orderStatusChanged(orderId: $orderId) {\n    id\n    status\n    cancellationReason\n    updatedAt\n  }\n}"): (typeof documents)["subscription TrackOrder($orderId: ID!) {\n  orderStatusChanged(orderId: $orderId) {\n    id\n    status\n    cancellationReason\n    updatedAt\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query StorefrontProduct($id: ID!) {\n  product(id: $id) {\n    id\n    sku\n    slug\n    name\n    description\n    price {\n      amount\n      currencyCode\n    }\n    category {\n      id\n      name\n    }\n    inStock\n    availableQuantity\n    recommendations(first: 4) {\n      ...ProductCard\n    }\n  }\n}"): (typeof documents)["query StorefrontProduct($id: ID!) {\n  product(id: $id) {\n    id\n    sku\n    slug\n    name\n    description\n    price {\n      amount\n      currencyCode\n    }\n    category {\n      id\n      name\n    }\n    inStock\n    availableQuantity\n    recommendations(first: 4) {\n      ...ProductCard\n    }\n  }\n}"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;