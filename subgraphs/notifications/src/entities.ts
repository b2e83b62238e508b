import { OutboxMessage, ProcessedEvent } from '@shop/platform';
import { Notification, Recipient } from './notification.entity.js';

/** Every table of the notifications database (the kit's outbox and processed-event tables included). */
export const entities = [Notification, Recipient, OutboxMessage, ProcessedEvent];
