import { useMutation, useQuery } from '@apollo/client/react';
import { SignOutDocument, StorefrontCartDocument } from '../__generated__/graphql';
import { Link, navigate } from '../app/router';
import { useSessions } from './use-session';

/** "Cart (3)": the count comes from the cached cart, so optimistic changes show here at once. */
export function CartLink() {
  const { data } = useQuery(StorefrontCartDocument);
  const count = data?.cart.totalQuantity ?? 0;
  return (
    <Link href="/cart" aria-label={`Cart, ${count} ${count === 1 ? 'item' : 'items'}`}>
      Cart ({count})
    </Link>
  );
}

/** Ends the session on the server (its refresh token is revoked), then forgets it here. */
export function SignOutButton() {
  const sessions = useSessions();
  const [signOut, { loading }] = useMutation(SignOutDocument);
  const click = async () => {
    const session = sessions.get();
    // Signed out locally whatever the server says: the tokens are gone from this browser either way.
    if (session) await signOut({ variables: { refreshToken: session.refreshToken } }).catch(() => undefined);
    sessions.set(undefined);
    navigate('/');
  };
  return (
    <button type="button" className="link-button" onClick={click} disabled={loading}>
      Sign out
    </button>
  );
}
