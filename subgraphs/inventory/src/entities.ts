import { OutboxMessage, ProcessedEvent } from '@shop/platform';
import { OrderDecision, StockReservation } from './reservation.entity.js';
import { Stock } from './stock.entity.js';

/** Every table of the inventory database (the kit's outbox and processed-event tables included). */
export const entities = [Stock, StockReservation, OrderDecision, OutboxMessage, ProcessedEvent];
