import { useMutation } from '@apollo/client/react';
import { useState, type FormEvent, type Ref } from 'react';
import { SignInDocument, SignUpDocument } from '../__generated__/graphql';
import { shopperMessage } from '../app/errors';
import { Link, navigate } from '../app/router';
import { useSessions } from './use-session';

/** Sign in, or create an account (`mode`), then go on to `next`. */
export function SignInPage({
  mode,
  next,
  headingRef,
}: {
  mode: 'sign-in' | 'sign-up';
  next: string;
  headingRef: Ref<HTMLHeadingElement>;
}) {
  const sessions = useSessions();
  const [signIn, signingIn] = useMutation(SignInDocument);
  const [signUp, signingUp] = useMutation(SignUpDocument);
  const [error, setError] = useState<string>();
  const busy = signingIn.loading || signingUp.loading;

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const email = String(form.get('email'));
    const password = String(form.get('password'));
    setError(undefined);
    try {
      const { data } =
        mode === 'sign-in'
          ? await signIn({ variables: { email, password } }).then((r) => ({ data: r.data?.login }))
          : await signUp({ variables: { input: { email, password, name: String(form.get('name')) } } }).then(
              (r) => ({ data: r.data?.register }),
            );
      if (!data) return;
      sessions.set({
        accessToken: data.accessToken,
        refreshToken: data.refreshToken,
        expiresAt: Date.now() + data.expiresIn * 1000,
        user: { ...data.user, name: data.user.name ?? '' },
      });
      navigate(next, { replace: true });
    } catch (caught) {
      setError(
        shopperMessage(caught, {
          UNAUTHENTICATED: 'That email and password do not match an account.',
          CONFLICT: 'An account with this email already exists. Sign in instead.',
        }),
      );
    }
  };

  const other = mode === 'sign-in' ? 'sign-up' : 'sign-in';
  return (
    <section aria-labelledby="account-heading" className="narrow">
      <h1 id="account-heading" ref={headingRef} tabIndex={-1}>
        {mode === 'sign-in' ? 'Sign in' : 'Create your account'}
      </h1>
      <form onSubmit={submit} className="stack-form">
        {mode === 'sign-up' && (
          <label>
            Name
            <input name="name" autoComplete="name" required />
          </label>
        )}
        <label>
          Email
          <input name="email" type="email" autoComplete="email" required />
        </label>
        <label>
          Password
          <input
            name="password"
            type="password"
            autoComplete={mode === 'sign-in' ? 'current-password' : 'new-password'}
            minLength={mode === 'sign-up' ? 8 : undefined}
            required
          />
        </label>
        {error && (
          <p role="alert" className="error">
            {error}
          </p>
        )}
        <button type="submit" disabled={busy}>
          {mode === 'sign-in' ? 'Sign in' : 'Create account'}
        </button>
      </form>
      <p>
        {mode === 'sign-in' ? 'New here? ' : 'Already have an account? '}
        <Link href={`/${other}?next=${encodeURIComponent(next)}`}>
          {mode === 'sign-in' ? 'Create an account' : 'Sign in'}
        </Link>
      </p>
    </section>
  );
}
