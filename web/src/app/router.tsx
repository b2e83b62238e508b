import {
  useCallback,
  useEffect,
  useRef,
  useSyncExternalStore,
  type AnchorHTMLAttributes,
  type MouseEvent,
} from 'react';
import { parseRoute, type Route } from './route';

export { catalogHref, type Route } from './route';

const listeners = new Set<() => void>();
const subscribe = (listener: () => void) => {
  listeners.add(listener);
  window.addEventListener('popstate', listener);
  return () => {
    listeners.delete(listener);
    window.removeEventListener('popstate', listener);
  };
};
const snapshot = () => window.location.pathname + window.location.search;

/** Goes to `href` without reloading (`replace` keeps the history entry, for typing in a search box). */
export function navigate(href: string, options: { replace?: boolean } = {}): void {
  if (options.replace) window.history.replaceState(null, '', href);
  else window.history.pushState(null, '', href);
  for (const listener of listeners) listener();
}

/** The current route; re-renders on navigation and on back/forward. */
export function useRoute(): Route {
  const location = useSyncExternalStore(subscribe, snapshot);
  const url = new URL(location, window.location.origin);
  return parseRoute(url.pathname, url.search);
}

/**
 * Moves focus to the page's main heading when the route changes, so a screen reader announces the new
 * page and keyboard users start from its top (what a full page load would do). Returns a callback ref
 * for the heading: a page that shows "Loading…" first gets the focus on its heading once it appears.
 */
export function useFocusOnNavigation<T extends HTMLElement>(key: string) {
  const previous = useRef(key);
  const pending = useRef(false);
  if (previous.current !== key) {
    previous.current = key;
    pending.current = true;
  }
  const element = useRef<T | null>(null);
  useEffect(() => {
    if (pending.current && element.current) {
      pending.current = false;
      element.current.focus();
    }
  });
  return useCallback((node: T | null) => {
    element.current = node;
    if (node && pending.current) {
      pending.current = false;
      node.focus();
    }
  }, []);
}

/** An anchor that navigates in the page; modified clicks (new tab...) stay the browser's. */
export function Link({ href, onClick, ...rest }: AnchorHTMLAttributes<HTMLAnchorElement> & { href: string }) {
  const handle = (event: MouseEvent<HTMLAnchorElement>) => {
    onClick?.(event);
    if (event.defaultPrevented || event.button !== 0) return;
    if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    navigate(href);
  };
  return <a href={href} onClick={handle} {...rest} />;
}
