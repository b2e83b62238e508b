import { OutboxMessage, ProcessedEvent } from '@shop/platform';
import {
  CoPurchase,
  CountedOrder,
  CustomerPurchase,
  ProductCategory,
  ProductSales,
} from './recommendation.entity.js';

/**
 * Every table of the recommendations database (the kit's outbox and processed-event tables
 * included; recommendations publishes nothing, but the runtime's relay reads the outbox table).
 */
export const entities = [
  CoPurchase,
  ProductSales,
  ProductCategory,
  CustomerPurchase,
  CountedOrder,
  OutboxMessage,
  ProcessedEvent,
];
