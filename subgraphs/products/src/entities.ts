import { OutboxMessage, ProcessedEvent } from '@shop/platform';
import { Category } from './category.entity.js';
import { Product } from './product.entity.js';

/** Every entity of the products database, the kit's outbox and processed-event tables included. */
export const entities = [Category, Product, OutboxMessage, ProcessedEvent];
