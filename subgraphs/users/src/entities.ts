import { OutboxMessage, ProcessedEvent } from '@shop/platform';
import { Address } from './address.entity.js';
import { UserProfile } from './user.entity.js';

export const entities = [UserProfile, Address, OutboxMessage, ProcessedEvent];
