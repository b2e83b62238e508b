import { OutboxMessage, ProcessedEvent } from '@shop/platform';
import { Account } from './account.entity.js';
import { RefreshToken, Session } from './session.entity.js';
import { SigningKey } from './signing-key.entity.js';

/** Every entity of the auth database; migrations are generated from this list. */
export const entities = [Account, Session, RefreshToken, SigningKey, OutboxMessage, ProcessedEvent];
