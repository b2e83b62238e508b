import { OutboxMessage, ProcessedEvent } from '@shop/platform';
import { Payment, PaymentSignal } from './payment.entity.js';
import { SandboxCharge, SandboxRefund } from './sandbox-provider.entity.js';

/** Every table of the payments database (the kit's outbox and processed-event tables included). */
export const entities = [Payment, PaymentSignal, SandboxCharge, SandboxRefund, OutboxMessage, ProcessedEvent];
