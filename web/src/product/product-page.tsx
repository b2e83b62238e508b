import { useMutation, useQuery } from '@apollo/client/react';
import { useState } from 'react';
import { useSession } from '../account/use-session';
import { signInHref } from '../app/route';
import { AddToCartDocument, StorefrontProductDocument } from '../__generated__/graphql';
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
      <AddToCart productId={product.id} inStock={product.inStock} />
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

/** Adds one unit to the cart (the answer is the whole cart, which updates the cached one). */
function AddToCart({ productId, inStock }: { productId: string; inStock: boolean }) {
  const session = useSession();
  const [add, { loading, error }] = useMutation(AddToCartDocument);
  const [added, setAdded] = useState(false);
  if (!session)
    return (
      <p>
        <Link href={signInHref(`/products/${encodeURIComponent(productId)}`)}>Sign in to buy</Link>
      </p>
    );
  return (
    <div className="buy">
      <button
        type="button"
        disabled={!inStock || loading}
        onClick={() =>
          void add({ variables: { productId, quantity: 1 } }).then(
            () => setAdded(true),
            () => undefined,
          )
        }
      >
        Add to cart
      </button>
      <span role="status">{added && !loading ? 'Added to your cart.' : ''}</span>
      {error && (
        <p role="alert" className="error">
          {shopperMessage(error, { CONFLICT: 'There is not enough stock for one more.' })}
        </p>
      )}
    </div>
  );
}
