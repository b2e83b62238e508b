import { describe, expect, it } from '@jest/globals';
import type { BellNotificationFragment } from '../__generated__/graphql';
import { withNotification } from './unread';

const note = (id: string, read = false) =>
  ({
    id,
    type: 'ORDER_PLACED',
    title: id,
    body: '',
    read,
    createdAt: '',
    order: null,
  }) as BellNotificationFragment;
const feed = { totalCount: 1, unreadCount: 0, edges: [{ node: note('a', true) }] };

describe('withNotification', () => {
  it('puts a new notification first and counts it unread', () => {
    const next = withNotification(feed, note('b'));
    expect(next.edges.map((edge) => edge.node.id)).toEqual(['b', 'a']);
    expect(next).toMatchObject({ totalCount: 2, unreadCount: 1 });
  });

  it('ignores one already in the feed, and keeps at most `keep`', () => {
    expect(withNotification(feed, note('a'))).toBe(feed);
    expect(withNotification(feed, note('b'), 1).edges).toHaveLength(1);
  });
});
