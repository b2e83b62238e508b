import { useQuery } from '@apollo/client/react';
import { StorefrontProductDocument } from '../__generated__/graphql';
import { shopperMessage } from '../app/errors';
import { formatMoney } from '../app/money';
import { Link } from '../app/router';
import { ProductCard } from '../catalog/product-card';
import { stockLabel } from '../catalog/stock';

/** One product: description, price, stock and what other shoppers bought with it. */
export function ProductPage({ id, headingRef }: { id: string; headingRef: React.Ref<HTMLHeadingElement> }) {
  const { data, loading, error } = useQuery(StorefrontProductDocument, { variables: { id } });
  if (loading && !data) return <p role="status">Loading product…</p>;
  if (error)
    return (
      <p role="alert" className="error">
        {shopperMessage(error)}
      </p>
    );
  const product = data?.product;
  if (!product)
    return (
      <section>
        <h1 ref={headingRef} tabIndex={-1}>
          Product not found
        </h1>
        <p>
          This product is no longer in the catalog. <Link href="/">Back to the catalog</Link>
        </p>
      </section>
    );
  return (
    <article aria-labelledby="product-heading" className="product">
      <p>
        <Link href="/">← Catalog</Link>
      </p>
      <h1 id="product-heading" ref={headingRef} tabIndex={-1}>
        {product.name}
      </h1>
      {product.category && <p className="muted">{product.category.name}</p>}
      <p className="price large">{formatMoney(product.price)}</p>
      <p className={product.inStock ? 'stock' : 'stock out'}>{stockLabel(product)}</p>
      {product.description && <p>{product.description}</p>}
      <p className="muted">SKU {product.sku}</p>
      <section aria-labelledby="recommendations-heading">
        <h2 id="recommendations-heading">Bought together</h2>
        {product.recommendations.length === 0 ? (
          <p className="empty">No recommendations yet.</p>
        ) : (
          <ul className="grid">
            {product.recommendations.map((other) => (
              <ProductCard key={other.id} product={other} />
            ))}
          </ul>
        )}
      </section>
    </article>
  );
}
