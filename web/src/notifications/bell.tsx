import { useMutation, useQuery, useSubscription } from '@apollo/client/react';
import { useState } from 'react';
import {
  BellNotificationsDocument,
  MarkAllReadDocument,
  NotificationAddedDocument,
} from '../__generated__/graphql';
import { Link } from '../app/router';
import { withNotification } from './unread';

const FIRST = 10;

/** The header's bell: unread count, fed live by `notificationAdded`; opens the latest notifications. */
export function NotificationBell() {
  const [open, setOpen] = useState(false);
  const { data, client } = useQuery(BellNotificationsDocument, { variables: { first: FIRST } });
  const [markAllRead] = useMutation(MarkAllReadDocument);
  useSubscription(NotificationAddedDocument, {
    onData: ({ data: event }) => {
      const added = event.data?.notificationAdded;
      if (!added) return;
      client.cache.updateQuery({ query: BellNotificationsDocument, variables: { first: FIRST } }, (cached) =>
        cached?.me
          ? { me: { ...cached.me, notifications: withNotification(cached.me.notifications, added, FIRST) } }
          : cached,
      );
    },
  });
  const feed = data?.me?.notifications;
  const unread = feed?.unreadCount ?? 0;

  const readAll = async () => {
    await markAllRead().catch(() => undefined);
    client.cache.updateQuery({ query: BellNotificationsDocument, variables: { first: FIRST } }, (cached) =>
      cached?.me
        ? {
            me: {
              ...cached.me,
              notifications: {
                ...cached.me.notifications,
                unreadCount: 0,
                edges: cached.me.notifications.edges.map((edge) => ({
                  ...edge,
                  node: { ...edge.node, read: true },
                })),
              },
            },
          }
        : cached,
    );
  };

  return (
    <div className="bell">
      <button
        type="button"
        aria-expanded={open}
        aria-controls="notifications-panel"
        aria-label={`Notifications, ${unread} unread`}
        onClick={() => setOpen(!open)}
      >
        <svg aria-hidden="true" width="16" height="16" viewBox="0 0 24 24" fill="currentColor">
          <path d="M12 22a2.5 2.5 0 0 0 2.5-2.5h-5A2.5 2.5 0 0 0 12 22Zm7-6V11a7 7 0 0 0-5.5-6.84V3a1.5 1.5 0 0 0-3 0v1.16A7 7 0 0 0 5 11v5l-2 2v1h18v-1l-2-2Z" />
        </svg>{' '}
        <span aria-hidden="true">{unread}</span>
      </button>
      {open && (
        <div id="notifications-panel" className="panel" role="region" aria-label="Notifications">
          {!feed || feed.edges.length === 0 ? (
            <p className="empty">No notifications yet.</p>
          ) : (
            <ul className="lines">
              {feed.edges.map(({ node }) => (
                <li key={node.id} className={node.read ? 'line' : 'line unread'}>
                  <span className="notification">
                    <strong>{node.title}</strong>
                    <span>{node.body}</span>
                  </span>
                  {node.order && (
                    <Link href={`/orders/${encodeURIComponent(node.order.id)}`}>View order</Link>
                  )}
                </li>
              ))}
            </ul>
          )}
          {unread > 0 && (
            <button type="button" onClick={() => void readAll()}>
              Mark all as read
            </button>
          )}
        </div>
      )}
    </div>
  );
}
