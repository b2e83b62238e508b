import type { ProductCardFragment } from '../__generated__/graphql';
import { formatMoney } from '../app/money';
import { Link } from '../app/router';
import { stockLabel } from './stock';

/** One product of a grid: name (the link), category, price and whether it can be bought. */
export function ProductCard({ product }: { product: ProductCardFragment }) {
  return (
    <li className="card">
      <h3 className="card-title">
        <Link href={`/products/${encodeURIComponent(product.id)}`}>{product.name}</Link>
      </h3>
      {product.category && <p className="muted">{product.category.name}</p>}
      <p className="price">{formatMoney(product.price)}</p>
      <p className={product.inStock ? 'stock' : 'stock out'}>{stockLabel(product)}</p>
    </li>
  );
}
