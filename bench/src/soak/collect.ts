/**
 * After the load: waits (bounded) until the stack has settled (every outbox empty, every durable
 * consumer group at lag 0, no order PENDING or RESERVED), then reads every database the history
 * checker needs.
 */
import { MikroORM } from '@mikro-orm/postgresql';
import type { RunningStack } from '../../../scripts/stack.js';
import { caughtUp, stackKafka } from '../../../test/support/kafka.js';
import type { History, StoredOrder } from './history.js';

type Row = Record<string, any>;

async function query(databaseUrl: string, database: string, text: string): Promise<Row[]> {
  const orm = await MikroORM.init({
    clientUrl: databaseUrl,
    dbName: database,
    entities: [],
    discovery: { warnWhenNoEntities: false },
    ensureDatabase: false,
  });
  try {
    return await orm.em.fork().getConnection().execute<Row[]>(text);
  } finally {
    await orm.close(true);
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Outbox rows waiting in every database of the stack that has an outbox. */
async function outboxRows(databaseUrl: string, stack: RunningStack): Promise<number> {
  let total = 0;
  for (const database of Object.values(stack.databases)) {
    const [row] = await query(
      databaseUrl,
      database,
      `select case when to_regclass('outbox_message') is null then 0
         else (select count(*) from outbox_message) end as n`,
    );
    total += Number(row?.n ?? 0);
  }
  return total;
}

/**
 * Waits until the stack is quiet: no order PENDING or RESERVED, every outbox empty and every durable
 * consumer group caught up, then the outboxes still empty (a consumer's effect may record a new
 * event). Resolves whether it got there within `timeoutMs`, and if not, what was still moving, with
 * what each database knows of every order left open (the checker then names them).
 */
export async function settle(
  databaseUrl: string,
  stack: RunningStack,
  timeoutMs: number,
): Promise<{ settled: boolean; waiting: string[] }> {
  const kafka = stackKafka(stack.kafkaNamespace);
  const deadline = Date.now() + timeoutMs;
  let last: string | undefined;
  while (Date.now() < deadline) {
    try {
      const [open] = await query(
        databaseUrl,
        stack.databases.orders!,
        `select count(*) as n from customer_order where status in ('PENDING', 'RESERVED')`,
      );
      const outbox = await outboxRows(databaseUrl, stack);
      last = `${open?.n} orders PENDING or RESERVED, ${outbox} outbox rows`;
      if (Number(open?.n) === 0 && outbox === 0) {
        await caughtUp(kafka, Math.max(deadline - Date.now(), 1_000));
        if ((await outboxRows(databaseUrl, stack)) === 0) return { settled: true, waiting: [] };
      }
    } catch (error) {
      last = String(error);
    }
    await sleep(500);
  }
  return { settled: false, waiting: [String(last), ...(await openOrders(databaseUrl, stack))] };
}

/** What orders, inventory and payments hold for each order still PENDING or RESERVED. */
async function openOrders(databaseUrl: string, stack: RunningStack): Promise<string[]> {
  const db = (name: string) => stack.databases[name]!;
  const open = await query(
    databaseUrl,
    db('orders'),
    `select id, status, created_at from customer_order where status in ('PENDING', 'RESERVED') order by created_at limit 10`,
  );
  const lines: string[] = [];
  for (const order of open) {
    const id = String(order.id).replace(/[^0-9a-f-]/g, '');
    const [decision, reservations, payment, signal] = await Promise.all([
      query(databaseUrl, db('inventory'), `select outcome from order_decision where order_id = '${id}'`),
      query(
        databaseUrl,
        db('inventory'),
        `select status, quantity from stock_reservation where order_id = '${id}'`,
      ),
      query(
        databaseUrl,
        db('payments'),
        `select status, stock_reserved_at, cancelled_at from payment where order_id = '${id}'`,
      ),
      query(databaseUrl, db('payments'), `select * from payment_signal where order_id = '${id}'`),
    ]);
    lines.push(
      `order ${id} ${order.status} since ${new Date(order.created_at).toISOString()}: ` +
        `inventory decision ${JSON.stringify(decision)} reservations ${JSON.stringify(reservations)}, ` +
        `payment ${JSON.stringify(payment)} signal ${JSON.stringify(signal)}`,
    );
  }
  return lines;
}

/** What every database holds, in the checker's terms (client-side parts left empty). */
export async function readDatabases(
  databaseUrl: string,
  stack: RunningStack,
  customers: string[],
): Promise<Omit<History, 'requests' | 'events' | 'faults' | 'initialStock' | 'customers'>> {
  const db = (name: string) => stack.databases[name]!;
  const mine = new Set(customers);
  const [orderRows, changes, lines] = await Promise.all([
    query(databaseUrl, db('orders'), 'select * from customer_order'),
    query(
      databaseUrl,
      db('orders'),
      'select order_id, status, version from order_status_change order by order_id, version',
    ),
    query(
      databaseUrl,
      db('orders'),
      'select order_id, product_id, quantity from order_line order by order_id, position',
    ),
  ]);
  const historyOf = new Map<string, string[]>();
  for (const c of changes) historyOf.set(c.order_id, [...(historyOf.get(c.order_id) ?? []), c.status]);
  const linesOf = new Map<string, { productId: string; quantity: number }[]>();
  for (const l of lines)
    linesOf.set(l.order_id, [
      ...(linesOf.get(l.order_id) ?? []),
      { productId: l.product_id, quantity: l.quantity },
    ]);
  const orders: StoredOrder[] = orderRows
    .filter((o) => mine.has(o.customer_id))
    .map((o) => ({
      id: o.id,
      customerId: o.customer_id,
      idempotencyKey: o.idempotency_key,
      status: o.status,
      cancellationReason: o.cancellation_reason,
      totalMinor: Number(o.total_minor),
      history: historyOf.get(o.id) ?? [],
      lines: linesOf.get(o.id) ?? [],
    }));

  const [payments, charges, refunds, stock, reservations, notifications] = await Promise.all([
    query(
      databaseUrl,
      db('payments'),
      'select order_id, customer_id, status, provider_ref, refund_ref from payment',
    ),
    query(
      databaseUrl,
      db('payments'),
      'select idempotency_key, provider_ref, amount_minor, outcome from sandbox_charge',
    ),
    query(
      databaseUrl,
      db('payments'),
      'select idempotency_key, charge_ref, amount_minor from sandbox_refund',
    ),
    query(databaseUrl, db('inventory'), 'select product_id, on_hand, reserved from stock'),
    query(
      databaseUrl,
      db('inventory'),
      'select order_id, product_id, quantity, status from stock_reservation',
    ),
    query(databaseUrl, db('notifications'), 'select id, user_id, type, order_id from notification'),
  ]);
  return {
    orders,
    payments: payments
      .filter((p) => mine.has(p.customer_id))
      .map((p) => ({
        orderId: p.order_id,
        status: p.status,
        providerRef: p.provider_ref,
        refundRef: p.refund_ref,
      })),
    charges: charges.map((c) => ({
      idempotencyKey: c.idempotency_key,
      providerRef: c.provider_ref,
      amountMinor: Number(c.amount_minor),
      outcome: c.outcome,
    })),
    refunds: refunds.map((r) => ({
      idempotencyKey: r.idempotency_key,
      chargeRef: r.charge_ref,
      amountMinor: Number(r.amount_minor),
    })),
    stock: stock.map((s) => ({
      productId: s.product_id,
      onHand: Number(s.on_hand),
      reserved: Number(s.reserved),
    })),
    reservations: reservations.map((r) => ({
      orderId: r.order_id,
      productId: r.product_id,
      quantity: Number(r.quantity),
      status: r.status,
    })),
    notifications: notifications.map((n) => ({
      id: n.id,
      userId: n.user_id,
      type: n.type,
      orderId: n.order_id,
    })),
  };
}
