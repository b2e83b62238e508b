import { useQuery } from '@apollo/client/react';
import { useEffect, useRef, useState, type FormEvent } from 'react';
import {
  StorefrontCategoriesDocument,
  StorefrontProductsDocument,
  type ProductSort,
} from '../__generated__/graphql';
import { shopperMessage } from '../app/errors';
import { catalogHref, navigate } from '../app/router';
import { useSession } from '../account/use-session';
import { ForYou } from './for-you';
import { ProductCard } from './product-card';

export const PAGE_SIZE = 12;

const SORTS: { value: ProductSort; label: string }[] = [
  { value: 'RELEVANCE', label: 'Best match' },
  { value: 'NEWEST', label: 'Newest' },
  { value: 'PRICE_ASC', label: 'Price: low to high' },
  { value: 'PRICE_DESC', label: 'Price: high to low' },
  { value: 'NAME_ASC', label: 'Name: A to Z' },
];

/** A sort from the URL, when it is one of ours. */
export function parseSort(value: string): ProductSort | undefined {
  return SORTS.find((sort) => sort.value === value)?.value;
}

/** The catalog: search, category filter, sort, and more products as the shopper scrolls. */
export function CatalogPage({
  query,
  categoryId,
  sort,
  headingRef,
}: {
  query: string;
  categoryId: string;
  sort: string;
  headingRef: React.Ref<HTMLHeadingElement>;
}) {
  const session = useSession();
  const [text, setText] = useState(query);
  useEffect(() => setText(query), [query]);
  const categories = useQuery(StorefrontCategoriesDocument);
  const filter = { ...(query ? { query } : {}), ...(categoryId ? { categoryId } : {}) };
  const products = useQuery(StorefrontProductsDocument, {
    variables: { first: PAGE_SIZE, filter, sort: parseSort(sort) ?? (query ? 'RELEVANCE' : 'NEWEST') },
    notifyOnNetworkStatusChange: true,
  });
  const connection = products.data?.products;
  const edges = connection?.edges ?? [];
  const loadingMore = products.networkStatus === 3;

  const loadMore = () => {
    if (!connection?.pageInfo.hasNextPage || products.loading) return;
    void products.fetchMore({ variables: { after: connection.pageInfo.endCursor } });
  };
  const sentinel = useInfiniteScroll(loadMore);

  const search = (event: FormEvent) => {
    event.preventDefault();
    navigate(catalogHref({ query: text.trim(), categoryId, sort }));
  };

  return (
    <section aria-labelledby="catalog-heading">
      <h1 id="catalog-heading" ref={headingRef} tabIndex={-1}>
        {query ? `Results for “${query}”` : 'Catalog'}
      </h1>
      <form role="search" className="toolbar" onSubmit={search}>
        <label>
          Search products
          <input type="search" value={text} onChange={(event) => setText(event.target.value)} />
        </label>
        <button type="submit">Search</button>
        <label>
          Category
          <select
            value={categoryId}
            onChange={(event) => navigate(catalogHref({ query, categoryId: event.target.value, sort }))}
          >
            <option value="">All categories</option>
            {categories.data?.categories.map((category) => (
              <option key={category.id} value={category.id}>
                {category.name} ({category.productCount})
              </option>
            ))}
          </select>
        </label>
        <label>
          Sort by
          <select
            value={parseSort(sort) ?? ''}
            onChange={(event) => navigate(catalogHref({ query, categoryId, sort: event.target.value }))}
          >
            <option value="">{query ? 'Best match' : 'Newest'}</option>
            {SORTS.map((option) => (
              <option key={option.value} value={option.value}>
                {option.label}
              </option>
            ))}
          </select>
        </label>
      </form>

      {session && !query && <ForYou />}
      {products.error && (
        <p role="alert" className="error">
          {shopperMessage(products.error)}
        </p>
      )}
      {products.loading && !connection && <p role="status">Loading products…</p>}
      {connection && (
        <p role="status" className="muted">
          {connection.totalCount === 1 ? '1 product' : `${connection.totalCount} products`}
        </p>
      )}
      {connection && edges.length === 0 && (
        <p className="empty">No products match. Try other words or another category.</p>
      )}
      <ul className="grid" aria-label="Products">
        {edges.map((edge) => (
          <ProductCard key={edge.node.id} product={edge.node} />
        ))}
      </ul>
      {connection?.pageInfo.hasNextPage && (
        <div ref={sentinel} className="more">
          <button type="button" onClick={loadMore} disabled={loadingMore}>
            {loadingMore ? 'Loading more…' : 'Show more products'}
          </button>
        </div>
      )}
    </section>
  );
}

/** Calls `onVisible` whenever the returned element scrolls into view (the button stays for keyboards). */
function useInfiniteScroll(onVisible: () => void) {
  const ref = useRef<HTMLDivElement>(null);
  const callback = useRef(onVisible);
  callback.current = onVisible;
  useEffect(() => {
    const element = ref.current;
    if (!element) return;
    const observer = new IntersectionObserver((entries) => {
      if (entries.some((entry) => entry.isIntersecting)) callback.current();
    });
    observer.observe(element);
    return () => observer.disconnect();
  });
  return ref;
}
