import { OutboxMessage, ProcessedEvent } from '@shop/platform';
import { Order, OrderLine, OrderStatusChange, ProductPrice } from './order.entity.js';

/** Every table of the orders database (the kit's outbox and processed-event tables included). */
export const entities = [Order, OrderLine, OrderStatusChange, ProductPrice, OutboxMessage, ProcessedEvent];
