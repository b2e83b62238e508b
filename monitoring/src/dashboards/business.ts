import { NS, prom, row, series, shopDashboard, single } from './common.js';

/** Messages per minute the broker acknowledged on a topic (each is one committed state change). */
const perMinute = (service: string, topic: string) =>
  `sum(rate(kafka_messages_published_total{service="${service}", topic="${topic}", ${NS}}[$__rate_interval])) * 60`;
const share = (service: string, topic: string, other: string) =>
  `sum(rate(kafka_messages_published_total{service="${service}", topic="${topic}", ${NS}}[1h]))
  /
  sum(rate(kafka_messages_published_total{service="${service}", topic=~"${topic}|${other}", ${NS}}[1h]))`;

/**
 * Business figures from the events the services publish: one outbox event per committed state
 * change, counted when Kafka acknowledged it (at least once: a relay that crashes between the ack and
 * its commit publishes the batch again, so a figure can be a little high, never low).
 */
export function businessDashboard() {
  return shopDashboard(
    'shop-business',
    'Shop / Business',
    'Orders by final status, payment declines and stock rejections, from the events the services publish.',
  )
    .withRow(row('Last hour'))
    .withPanel(
      single(
        'Orders confirmed, share',
        'Confirmed among the orders that reached a final status in the last hour.',
        'percentunit',
        share('orders', 'orders.order.confirmed.v1', 'orders.order.cancelled.v1'),
      ),
    )
    .withPanel(
      single(
        'Payment declines, share',
        'Declined among the payments charged in the last hour.',
        'percentunit',
        share('payments', 'payments.payment.declined.v1', 'payments.payment.succeeded.v1'),
      ),
    )
    .withPanel(
      single(
        'Stock rejections, share',
        'Orders inventory could not reserve, among the orders it decided in the last hour.',
        'percentunit',
        share('inventory', 'inventory.stock.rejected.v1', 'inventory.stock.reserved.v1'),
      ),
    )
    .withPanel(
      single(
        'Orders placed per minute',
        'orders.order.placed.v1 per minute.',
        'short',
        perMinute('orders', 'orders.order.placed.v1'),
      ),
    )
    .withRow(row('Orders'))
    .withPanel(
      series(
        'Orders per minute by final status',
        'Orders entering CONFIRMED and CANCELLED (any reason: out of stock, payment declined, customer, expired), and orders placed.',
        'short',
        [
          prom(perMinute('orders', 'orders.order.confirmed.v1'), 'confirmed'),
          prom(perMinute('orders', 'orders.order.cancelled.v1'), 'cancelled'),
          prom(perMinute('orders', 'orders.order.placed.v1'), 'placed'),
        ],
        24,
      ),
    )
    .withRow(row('Payments and stock'))
    .withPanel(
      series('Payments per minute', 'Charges that succeeded or were declined, and refunds.', 'short', [
        prom(perMinute('payments', 'payments.payment.declined.v1'), 'declined'),
        prom(perMinute('payments', 'payments.payment.succeeded.v1'), 'succeeded'),
        prom(perMinute('payments', 'payments.payment.refunded.v1'), 'refunded'),
      ]),
    )
    .withPanel(
      series(
        'Stock decisions per minute',
        'Orders reserved, rejected for shortage, or released by the expiry backstop.',
        'short',
        [
          prom(perMinute('inventory', 'inventory.stock.rejected.v1'), 'rejected'),
          prom(perMinute('inventory', 'inventory.stock.reserved.v1'), 'reserved'),
          prom(perMinute('inventory', 'inventory.stock.released.v1'), 'released (expired)'),
        ],
      ),
    );
}
