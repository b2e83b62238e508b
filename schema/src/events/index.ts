/**
 * The Kafka event contracts: topic names (`<producer>.<entity>.<event>.v<N>`, written only by
 * their producer, keyed by the aggregate id) and zod validators for their payloads. Payloads only
 * ever gain fields; a breaking change is a new topic version. Consumers validate every payload
 * with these before acting (an invalid one goes to their dead-letter topic).
 */
export * from './auth.events.js';
export * from './inventory.events.js';
export * from './notifications.events.js';
export * from './orders.events.js';
export * from './payments.events.js';
export * from './products.events.js';
export * from './users.events.js';
