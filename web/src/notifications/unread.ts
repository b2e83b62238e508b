import type { BellNotificationFragment, BellNotificationsQuery } from '../__generated__/graphql';

type Feed = NonNullable<BellNotificationsQuery['me']>['notifications'];

/**
 * The bell's feed once `added` arrived over `notificationAdded`: first in the list and counted as
 * unread. A notification already in the feed (the same event delivered twice, or read by the query
 * since) changes nothing.
 */
export function withNotification(feed: Feed, added: BellNotificationFragment, keep = 10): Feed {
  if (feed.edges.some((edge) => edge.node.id === added.id)) return feed;
  const edge = { ...feed.edges[0], node: added } as Feed['edges'][number];
  return {
    ...feed,
    totalCount: feed.totalCount + 1,
    unreadCount: feed.unreadCount + (added.read ? 0 : 1),
    edges: [edge, ...feed.edges].slice(0, keep),
  };
}
