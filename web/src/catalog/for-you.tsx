import { useQuery } from '@apollo/client/react';
import { ForYouProductsDocument } from '../__generated__/graphql';
import { ProductCard } from './product-card';

/** "For you": the signed-in shopper's recommendations; nothing at all while there are none. */
export function ForYou() {
  const { data } = useQuery(ForYouProductsDocument, { variables: { first: 4 } });
  const products = data?.me?.recommendedProducts ?? [];
  if (products.length === 0) return null;
  return (
    <section aria-labelledby="for-you-heading">
      <h2 id="for-you-heading">For you</h2>
      <ul className="grid">
        {products.map((product) => (
          <ProductCard key={product.id} product={product} />
        ))}
      </ul>
    </section>
  );
}
