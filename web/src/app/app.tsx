import { SignInPage } from '../account/sign-in-page';
import { AdminPage } from '../admin/admin-page';
import { NotificationBell } from '../notifications/bell';
import { CartLink, SignOutButton } from '../account/header-parts';
import { useSession } from '../account/use-session';
import { CartPage } from '../cart/cart-page';
import { CatalogPage } from '../catalog/catalog-page';
import { CheckoutPage } from '../checkout/checkout-page';
import { OrderPage } from '../orders/order-page';
import { ProductPage } from '../product/product-page';
import { signInHref } from './route';
import { Link, useFocusOnNavigation, useRoute, type Route } from './router';

/** Pages that need a signed-in shopper. */
const PRIVATE: Route['page'][] = ['cart', 'checkout', 'order', 'admin'];

/** The shell: skip link, header with navigation, and the page of the current route. */
export function App() {
  const route = useRoute();
  const session = useSession();
  const headingRef = useFocusOnNavigation<HTMLHeadingElement>(JSON.stringify(route));
  const here = window.location.pathname + window.location.search;
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
          {session ? (
            <>
              <CartLink />
              <NotificationBell />
              {session.user.roles.includes('ADMIN') && <Link href="/admin">Admin</Link>}
              <span className="muted">Hi, {session.user.name || session.user.email}</span>
              <SignOutButton />
            </>
          ) : (
            <>
              <Link href={signInHref(here)}>Sign in</Link>
              <Link href={`/sign-up?next=${encodeURIComponent(here)}`}>Create account</Link>
            </>
          )}
        </nav>
      </header>
      <main id="main">
        {!session && PRIVATE.includes(route.page) ? (
          <section>
            <h1 ref={headingRef} tabIndex={-1}>
              Please sign in
            </h1>
            <p>
              <Link href={signInHref(here)}>Sign in</Link> to see this page.
            </p>
          </section>
        ) : (
          <Page route={route} headingRef={headingRef} />
        )}
      </main>
    </>
  );
}

function Page({
  route,
  headingRef,
}: {
  route: Route;
  headingRef: (node: HTMLHeadingElement | null) => void;
}) {
  switch (route.page) {
    case 'catalog':
      return (
        <CatalogPage
          query={route.query}
          categoryId={route.categoryId}
          sort={route.sort}
          headingRef={headingRef}
        />
      );
    case 'product':
      return <ProductPage id={route.id} headingRef={headingRef} />;
    case 'sign-in':
    case 'sign-up':
      return <SignInPage mode={route.page} next={route.next} headingRef={headingRef} />;
    case 'cart':
      return <CartPage headingRef={headingRef} />;
    case 'checkout':
      return <CheckoutPage headingRef={headingRef} />;
    case 'order':
      return <OrderPage id={route.id} headingRef={headingRef} />;
    case 'admin':
      return <AdminPage headingRef={headingRef} />;
    default:
      return (
        <section>
          <h1 ref={headingRef} tabIndex={-1}>
            Page not found
          </h1>
          <p>
            <Link href="/">Back to the catalog</Link>
          </p>
        </section>
      );
  }
}
