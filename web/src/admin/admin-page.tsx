import { useMutation, useQuery } from '@apollo/client/react';
import { useState, type FormEvent, type Ref } from 'react';
import {
  AdminAdjustStockDocument,
  AdminCreateProductDocument,
  AdminUpdateProductDocument,
  StorefrontCategoriesDocument,
  StorefrontProductsDocument,
  type ProductCardFragment,
} from '../__generated__/graphql';
import { shopperMessage } from '../app/errors';
import { formatMoney } from '../app/money';

/** For admins: create a product with its first stock, find products, edit them and adjust their stock. */
export function AdminPage({ headingRef }: { headingRef: Ref<HTMLHeadingElement> }) {
  return (
    <section aria-labelledby="admin-heading">
      <h1 id="admin-heading" ref={headingRef} tabIndex={-1}>
        Catalog admin
      </h1>
      <CreateProduct />
      <EditProducts />
    </section>
  );
}

function CreateProduct() {
  const categories = useQuery(StorefrontCategoriesDocument);
  const [create, creating] = useMutation(AdminCreateProductDocument);
  const [adjust] = useMutation(AdminAdjustStockDocument);
  const [message, setMessage] = useState<{ ok: boolean; text: string }>();

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const formElement = event.currentTarget;
    const form = new FormData(formElement);
    const field = (name: string) => String(form.get(name) ?? '').trim();
    try {
      const result = await create({
        variables: {
          input: {
            sku: field('sku'),
            name: field('name'),
            description: field('description') || undefined,
            price: field('price'),
            categoryId: field('categoryId'),
          },
        },
        // The catalog's lists are stale now; they are read again when shown.
        refetchQueries: [StorefrontProductsDocument, StorefrontCategoriesDocument],
      });
      const product = result.data?.createProduct;
      const stock = Number(field('stock'));
      if (product && stock > 0) await adjust({ variables: { productId: product.id, delta: stock } });
      setMessage({ ok: true, text: `Created ${product?.name}.` });
      formElement.reset();
    } catch (caught) {
      setMessage({
        ok: false,
        text: shopperMessage(caught, { CONFLICT: 'A product with this SKU exists.' }),
      });
    }
  };

  return (
    <form onSubmit={submit} className="stack-form narrow" aria-labelledby="create-heading">
      <h2 id="create-heading">New product</h2>
      <label>
        SKU
        <input name="sku" required />
      </label>
      <label>
        Product name
        <input name="name" required />
      </label>
      <label>
        Description
        <textarea name="description" rows={3} />
      </label>
      <label>
        Price (USD)
        <input name="price" required inputMode="decimal" pattern="\d+(\.\d{1,2})?" title="e.g. 19.99" />
      </label>
      <label>
        Category
        <select name="categoryId" required defaultValue="">
          <option value="" disabled>
            Choose a category
          </option>
          {categories.data?.categories.map((category) => (
            <option key={category.id} value={category.id}>
              {category.name}
            </option>
          ))}
        </select>
      </label>
      <label>
        Initial stock
        <input name="stock" type="number" min={0} defaultValue={10} />
      </label>
      <p role="status" className={message ? (message.ok ? 'status' : 'error') : undefined}>
        {message?.text}
      </p>
      <button type="submit" disabled={creating.loading}>
        Create product
      </button>
    </form>
  );
}

function EditProducts() {
  const [query, setQuery] = useState('');
  const products = useQuery(StorefrontProductsDocument, {
    variables: { first: 10, filter: query ? { query } : {}, sort: query ? 'RELEVANCE' : 'NEWEST' },
  });
  return (
    <section aria-labelledby="edit-heading">
      <h2 id="edit-heading">Edit products</h2>
      <form
        role="search"
        onSubmit={(event) => {
          event.preventDefault();
          setQuery(String(new FormData(event.currentTarget).get('q') ?? '').trim());
        }}
        className="toolbar"
      >
        <label>
          Find products
          <input type="search" name="q" />
        </label>
        <button type="submit">Find</button>
      </form>
      {products.error && (
        <p role="alert" className="error">
          {shopperMessage(products.error)}
        </p>
      )}
      <ul className="lines" aria-label="Products to edit">
        {products.data?.products.edges.map(({ node }) => (
          <EditProduct key={node.id} product={node} />
        ))}
      </ul>
    </section>
  );
}

function EditProduct({ product }: { product: ProductCardFragment }) {
  const [update, updating] = useMutation(AdminUpdateProductDocument);
  const [adjust, adjusting] = useMutation(AdminAdjustStockDocument);
  const [error, setError] = useState<string>();
  const save = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setError(undefined);
    try {
      await update({
        variables: {
          id: product.id,
          input: { name: String(form.get('name')).trim(), price: String(form.get('price')).trim() },
        },
      });
      const delta = Number(form.get('delta'));
      if (delta) await adjust({ variables: { productId: product.id, delta } });
    } catch (caught) {
      setError(shopperMessage(caught, { CONFLICT: 'Not enough stock to take that many away.' }));
    }
  };
  return (
    <li className="line">
      <form onSubmit={save} className="toolbar edit-row" aria-label={`Edit ${product.name}`}>
        <label>
          Name
          <input name="name" defaultValue={product.name} required />
        </label>
        <label>
          Price
          <input name="price" defaultValue={product.price.amount} required inputMode="decimal" />
        </label>
        <span className="muted">
          {formatMoney(product.price)}, {product.availableQuantity} in stock
        </span>
        <label>
          Stock change
          <input name="delta" type="number" defaultValue={0} />
        </label>
        <button type="submit" disabled={updating.loading || adjusting.loading}>
          Save
        </button>
        {error && (
          <span role="alert" className="error">
            {error}
          </span>
        )}
      </form>
    </li>
  );
}
