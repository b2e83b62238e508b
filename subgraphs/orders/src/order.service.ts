import { randomUUID } from 'node:crypto';
import { LockMode, UniqueConstraintViolationException } from '@mikro-orm/core';
import {
  badUserInput,
  conflict,
  notFound,
  recordEvent,
  type EntityManager,
  type Logger,
  type OutboxRelay,
  type Viewer,
} from '@shop/platform';
import {
  ORDER_CANCELLED_V1,
  ORDER_CONFIRMED_V1,
  ORDER_PLACED_V1,
  ORDER_STATUS_CHANGED_V1,
  type OrderCancelledV1,
  type OrderConfirmedV1,
  type OrderPlacedV1,
  type OrderStatusChangedV1,
} from '@shop/schema';
import { Order, OrderLine, OrderStatusChange } from './order.entity.js';
import { transition, type OrderTrigger, type TransitionResult } from './order-state.js';
import { statusChangedPayload } from './order-status.js';
import { isUuid, validateOrderRequest, type PlaceOrderRequest } from './order.validation.js';
import type { OrderAdmission } from './order-admission.js';
import type { OrderPosition } from './order-cursor.js';
import type { PriceLookup } from './product-price.js';

export const isAdmin = (viewer: Viewer) => viewer.roles.includes('ADMIN');
/** The viewer may see/act on `order`: its customer or an admin. */
export const mayAccess = (viewer: Viewer, order: Pick<Order, 'customerId'>) =>
  order.customerId === viewer.id || isAdmin(viewer);

/** A page of one customer's orders, newest first. */
export interface OrderPage {
  totalCount: number;
  orders: Order[];
  hasNextPage: boolean;
}

export interface OrderServiceDeps {
  relay: Pick<OutboxRelay, 'nudge'>;
  prices: PriceLookup;
  logger: Logger;
  /** Tests only (UNSAFE_SKIP_IDEMPOTENCY, refused unless NODE_ENV=test): ignore idempotency keys. */
  unsafeSkipIdempotency?: boolean;
  /** Load shedding: refuses a new order while too many are unsettled (none: no bound). */
  admission?: OrderAdmission;
}

const lineView = (lines: OrderLine[]) =>
  lines.map((l) => ({ productId: l.productId, quantity: l.quantity, unitPriceMinor: l.unitPriceMinor }));

/**
 * Orders: placing (validated, priced from the catalog, stored PENDING with its placed event in one
 * transaction, idempotent per customer and key), moving through the state machine (events and
 * `cancelOrder`), and reading.
 */
export class OrderService {
  constructor(private readonly deps: OrderServiceDeps) {}

  /** `placeOrder` for `viewer`: the new order, or the one this idempotency key already placed. */
  async place(em: EntityManager, viewer: Viewer, input: PlaceOrderRequest): Promise<Order> {
    const request = validateOrderRequest(input);
    const replay = async (reader: EntityManager) => {
      const existing = await reader.findOne(Order, {
        customerId: viewer.id,
        idempotencyKey: request.idempotencyKey,
      });
      if (!existing) return null;
      if (existing.requestFingerprint !== request.fingerprint) {
        throw conflict('idempotencyKey was already used for an order with other input');
      }
      return existing;
    };
    // The deliberately broken build: no replay, and the order stored under a key of its own.
    const unsafe = this.deps.unsafeSkipIdempotency === true;
    const earlier = unsafe ? null : await replay(em);
    if (earlier) return earlier;
    // After the replay: a retry of an order already placed is answered however busy the flow is.
    await this.deps.admission?.admit();

    const prices = await this.deps.prices(
      em,
      request.items.map((i) => i.productId),
    );
    const unknown = request.items.find((i) => !prices.has(i.productId));
    if (unknown) throw badUserInput(`unknown product ${unknown.productId}`, 'items.productId');
    const currencies = new Set(request.items.map((i) => prices.get(i.productId)!.currencyCode));
    if (currencies.size > 1) throw badUserInput('all products of an order must have one currency', 'items');
    const currencyCode = [...currencies][0]!;

    const now = new Date();
    const orderId = randomUUID();
    const lines = request.items.map((item, position) => ({
      id: randomUUID(),
      orderId,
      position,
      productId: item.productId,
      quantity: item.quantity,
      unitPriceMinor: prices.get(item.productId)!.priceMinor,
      currencyCode,
    }));
    const totalMinor = lines.reduce((sum, l) => sum + l.quantity * l.unitPriceMinor, 0);
    try {
      const order = await em.fork().transactional(async (tx) => {
        const created = tx.create(Order, {
          id: orderId,
          customerId: viewer.id,
          idempotencyKey: unsafe ? randomUUID() : request.idempotencyKey,
          requestFingerprint: request.fingerprint,
          status: 'PENDING',
          cancellationReason: null,
          totalMinor,
          currencyCode,
          paymentToken: request.paymentToken,
          ...request.shippingAddress,
          version: 1,
          createdAt: now,
          updatedAt: now,
        });
        for (const line of lines) tx.create(OrderLine, line);
        tx.create(OrderStatusChange, { id: randomUUID(), orderId, status: 'PENDING', at: now, version: 1 });
        recordEvent<OrderPlacedV1>(tx, ORDER_PLACED_V1, orderId, {
          orderId,
          customerId: viewer.id,
          items: lineView(lines as OrderLine[]),
          totalMinor,
          currencyCode,
          paymentToken: request.paymentToken,
          placedAt: now.toISOString(),
        });
        // Creation is the order's first status change (version 1): subscribers start from it.
        recordEvent<OrderStatusChangedV1>(
          tx,
          ORDER_STATUS_CHANGED_V1,
          orderId,
          statusChangedPayload(created, null),
        );
        return created;
      });
      this.deps.admission?.placed();
      this.deps.relay.nudge();
      return order;
    } catch (error) {
      // A concurrent identical request won the (customer, key) unique constraint: return its order.
      if (!(error instanceof UniqueConstraintViolationException)) throw error;
      const winner = await replay(em.fork());
      if (!winner) throw error;
      return winner;
    }
  }

  /**
   * `cancelOrder`: the customer's (or, for an admin, anyone's) order cancelled CUSTOMER_CANCELLED.
   * NOT_FOUND for an unknown order or someone else's; BAD_USER_INPUT when already cancelled.
   */
  async cancel(em: EntityManager, viewer: Viewer, orderId: string): Promise<Order> {
    if (!isUuid(orderId)) throw notFound('Order not found');
    const order = await em.fork().transactional(async (tx) => {
      const found = await tx.findOne(
        Order,
        { id: orderId.toLowerCase() },
        { lockMode: LockMode.PESSIMISTIC_WRITE },
      );
      if (!found || !mayAccess(viewer, found)) throw notFound('Order not found');
      const result = transition(found.status, 'CUSTOMER_CANCELLED');
      if (result.kind !== 'apply') throw badUserInput(`the order cannot be cancelled: ${result.why}`, 'id');
      await this.applySteps(tx, found, result);
      return found;
    });
    this.deps.relay.nudge();
    return order;
  }

  /**
   * The settlement timeout: cancels EXPIRED (through the state machine, recording
   * `orders.order.cancelled.v1`) at most `limit` orders still PENDING or RESERVED that were placed at
   * or before `placedBefore`, oldest first, in one transaction. Resolves the ids it cancelled.
   *
   * Safe with any number of sweepers (replicas) and against the consumer and `cancelOrder`: the
   * candidates are locked `FOR UPDATE SKIP LOCKED`, so two sweepers never take the same order (each
   * skips what the other holds) and an order locked by a consumer transaction or a `cancelOrder` is
   * left for the next sweep instead of waited for. Under the lock Postgres re-checks the status
   * filter against the latest committed row, and the state machine checks it again, so an order
   * that settled (or was cancelled) meanwhile is never expired.
   */
  async expireUnsettled(em: EntityManager, placedBefore: Date, limit: number): Promise<string[]> {
    const expired = await em.fork().transactional(async (tx) => {
      const due = await tx.find(
        Order,
        { status: { $in: ['PENDING', 'RESERVED'] }, createdAt: { $lte: placedBefore } },
        { lockMode: LockMode.PESSIMISTIC_PARTIAL_WRITE, orderBy: { createdAt: 'asc', id: 'asc' }, limit },
      );
      const ids: string[] = [];
      for (const order of due) {
        const result = transition(order.status, 'SETTLEMENT_TIMED_OUT');
        if (result.kind !== 'apply') continue;
        await this.applySteps(tx, order, result);
        ids.push(order.id);
      }
      return ids;
    });
    if (expired.length) {
      this.deps.relay.nudge();
      this.deps.logger.info({ orders: expired }, 'unsettled orders expired');
    }
    return expired;
  }

  /**
   * Applies an order-flow event to its order inside the consumer's transaction (`tx`, from applyOnce).
   * Stale or illegal events for the order, and events for unknown orders, change nothing and are logged.
   */
  async applyEvent(tx: EntityManager, orderId: string, trigger: OrderTrigger): Promise<void> {
    const order = await tx.findOne(Order, { id: orderId }, { lockMode: LockMode.PESSIMISTIC_WRITE });
    if (!order) {
      this.deps.logger.warn({ orderId, trigger }, 'order-flow event for an unknown order ignored');
      return;
    }
    const result = transition(order.status, trigger);
    if (result.kind !== 'apply') {
      this.deps.logger.info(
        { orderId, trigger, status: order.status, why: result.why },
        'order-flow event ignored',
      );
      return;
    }
    await this.applySteps(tx, order, result);
    this.deps.logger.info({ orderId, trigger, status: order.status }, 'order status changed');
  }

  /**
   * Enters each step's status (version + 1, one history row and one `orders.order.status-changed.v1`
   * each) and records the events it implies, all in `tx`.
   */
  private async applySteps(
    tx: EntityManager,
    order: Order,
    result: Extract<TransitionResult, { kind: 'apply' }>,
  ): Promise<void> {
    const now = new Date();
    for (const step of result.steps) {
      const previousStatus = order.status;
      if (previousStatus === 'CANCELLED') throw new Error('a cancelled order never changes');
      order.status = step.status;
      order.cancellationReason = step.cancellationReason ?? null;
      order.version += 1;
      order.updatedAt = now;
      tx.create(OrderStatusChange, {
        id: randomUUID(),
        orderId: order.id,
        status: step.status,
        at: now,
        version: order.version,
      });
      // One status-changed event per status entered, in version order (two for PENDING -> CONFIRMED).
      recordEvent<OrderStatusChangedV1>(
        tx,
        ORDER_STATUS_CHANGED_V1,
        order.id,
        statusChangedPayload(order, previousStatus),
      );
      if (step.status === 'CONFIRMED') {
        const lines = await tx.find(OrderLine, { orderId: order.id }, { orderBy: { position: 'asc' } });
        recordEvent<OrderConfirmedV1>(tx, ORDER_CONFIRMED_V1, order.id, {
          orderId: order.id,
          customerId: order.customerId,
          items: lineView(lines),
          totalMinor: order.totalMinor,
          currencyCode: order.currencyCode,
          confirmedAt: now.toISOString(),
        });
      }
      if (step.status === 'CANCELLED') {
        recordEvent<OrderCancelledV1>(tx, ORDER_CANCELLED_V1, order.id, {
          orderId: order.id,
          customerId: order.customerId,
          reason: step.cancellationReason ?? 'CUSTOMER_CANCELLED',
          previousStatus,
          cancelledAt: now.toISOString(),
        });
      }
    }
  }

  /**
   * `orderId`'s order when `viewer` may see it (its customer or an admin). NOT_FOUND for a malformed
   * or unknown id and for someone else's order alike, so nobody learns that an order exists.
   */
  async findVisible(em: EntityManager, viewer: Viewer, orderId: string): Promise<Order> {
    const order = isUuid(orderId) ? await em.findOne(Order, { id: orderId.toLowerCase() }) : null;
    if (!order || !mayAccess(viewer, order)) throw notFound('Order not found');
    return order;
  }

  /** Orders by id (any customer's: callers check access). */
  findByIds(em: EntityManager, ids: readonly string[]): Promise<Order[]> {
    const valid = ids.filter(isUuid).map((id) => id.toLowerCase());
    return valid.length ? em.find(Order, { id: { $in: valid } }) : Promise.resolve([]);
  }

  /** The lines of these orders, each order's in its position order. */
  linesOf(em: EntityManager, orderIds: readonly string[]): Promise<OrderLine[]> {
    return em.find(
      OrderLine,
      { orderId: { $in: [...orderIds] } },
      { orderBy: { orderId: 'asc', position: 'asc' } },
    );
  }

  /** The status history of these orders, oldest first. */
  historyOf(em: EntityManager, orderIds: readonly string[]): Promise<OrderStatusChange[]> {
    return em.find(
      OrderStatusChange,
      { orderId: { $in: [...orderIds] } },
      { orderBy: { orderId: 'asc', version: 'asc' } },
    );
  }

  /** One page of `customerId`'s orders, newest first, after `after` (keyset on createdAt, id). */
  async page(
    em: EntityManager,
    customerId: string,
    first: number,
    after: OrderPosition | undefined,
  ): Promise<OrderPage> {
    const where = after
      ? {
          customerId,
          $or: [
            { createdAt: { $lt: after.createdAt } },
            { createdAt: after.createdAt, id: { $lt: after.id } },
          ],
        }
      : { customerId };
    const [rows, totalCount] = await Promise.all([
      em.find(Order, where, { orderBy: { createdAt: 'desc', id: 'desc' }, limit: first + 1 }),
      em.fork().count(Order, { customerId }),
    ]);
    return { totalCount, orders: rows.slice(0, first), hasNextPage: rows.length > first };
  }
}
