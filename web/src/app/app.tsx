import { CatalogPage } from '../catalog/catalog-page';
import { ProductPage } from '../product/product-page';
import { Link, useFocusOnNavigation, useRoute } from './router';

/** The shell: skip link, header with navigation, and the page of the current route. */
export function App() {
  const route = useRoute();
  const headingRef = useFocusOnNavigation<HTMLHeadingElement>(JSON.stringify(route));
  return (
    <>
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="header">
        <Link href="/" className="brand">
          Shop
        </Link>
        <nav aria-label="Main">
          <Link href="/">Catalog</Link>
        </nav>
      </header>
      <main id="main">
        {route.page === 'catalog' && (
          <CatalogPage
            query={route.query}
            categoryId={route.categoryId}
            sort={route.sort}
            headingRef={headingRef}
          />
        )}
        {route.page === 'product' && <ProductPage id={route.id} headingRef={headingRef} />}
        {route.page === 'not-found' && (
          <section>
            <h1 ref={headingRef} tabIndex={-1}>
              Page not found
            </h1>
            <p>
              <Link href="/">Back to the catalog</Link>
            </p>
          </section>
        )}
      </main>
    </>
  );
}
