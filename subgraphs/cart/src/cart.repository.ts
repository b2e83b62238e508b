import type { Redis } from '@shop/platform';
import { luaCommand } from './lua-command.js';

/**
 * Carts in Redis. Key layout (after the client's key prefix, `cart:` in production):
 *
 *   customer:{<customerId>}                 HASH, one per customer
 *     <productId>  -> "<seq>:<quantity>"    one field per line; `seq` orders the lines
 *     #seq         -> last sequence number handed out (never a product id)
 *   processed:{<customerId>}:<eventId>      STRING "1", EX 7 days: an order event already applied
 *
 * The `{<customerId>}` hash tag keeps a customer's cart and its processed-event records in one
 * Redis Cluster slot, so the Lua scripts below (which touch both) stay valid on a cluster.
 *
 * Every change is one Lua script: Redis runs it alone, so the checks (line count, quantity sum, line
 * present) and the write are a single atomic step; concurrent requests queue rather than interleave.
 * Each script refreshes the cart's TTL and returns the cart as it now is, so a mutation is one round
 * trip. Checks that need no stored state (quantity range, product id shape) happen before, in the
 * service.
 */

/** One line of a cart as stored. */
export interface StoredLine {
  productId: string;
  quantity: number;
  /** Insertion sequence: lines are listed by it, oldest first. */
  seq: number;
}

/** The field of the cart hash that holds the sequence counter (not a line). */
const SEQ_FIELD = '#seq';

/** How long a processed order event is remembered: redeliveries come within minutes, not weeks. */
export const PROCESSED_EVENT_TTL_SECONDS = 7 * 24 * 3600;

export const cartKey = (customerId: string) => `customer:{${customerId}}`;
export const processedKey = (customerId: string, eventId: string) => `processed:{${customerId}}:${eventId}`;

/**
 * Decodes HGETALL of a cart hash (flat `[field, value, ...]`) into lines ordered by insertion.
 * Fields that are not lines (the sequence counter) and values that do not decode are skipped.
 */
export function decodeLines(flat: readonly string[]): StoredLine[] {
  const lines: StoredLine[] = [];
  for (let i = 0; i + 1 < flat.length; i += 2) {
    const field = flat[i]!;
    if (field === SEQ_FIELD) continue;
    const match = /^(\d+):(\d+)$/.exec(flat[i + 1]!);
    if (!match) continue;
    lines.push({ productId: field, seq: Number(match[1]), quantity: Number(match[2]) });
  }
  return lines.sort((a, b) => a.seq - b.seq);
}

// Shared prologue: the number of lines is the hash's length less the counter field.
const LINE_COUNT = `
local function line_count(key)
  return redis.call('HLEN', key) - redis.call('HEXISTS', key, '${SEQ_FIELD}')
end
`;

/**
 * KEYS[1] cart; ARGV: productId, units to add, max units per line, max lines, TTL seconds.
 * Adds to an existing line (keeping its place) or appends a new one. Refuses, writing nothing:
 * {'LINE_TOO_BIG', current} when the line would pass the maximum, {'TOO_MANY_LINES'} when a new
 * line would pass the line limit.
 */
const ADD = `${LINE_COUNT}
local current = redis.call('HGET', KEYS[1], ARGV[1])
local add = tonumber(ARGV[2])
if current then
  local seq, qty = string.match(current, '^(%d+):(%d+)$')
  local total = tonumber(qty) + add
  if total > tonumber(ARGV[3]) then return {'LINE_TOO_BIG', qty} end
  redis.call('HSET', KEYS[1], ARGV[1], seq .. ':' .. total)
else
  if line_count(KEYS[1]) >= tonumber(ARGV[4]) then return {'TOO_MANY_LINES'} end
  local seq = redis.call('HINCRBY', KEYS[1], '${SEQ_FIELD}', 1)
  redis.call('HSET', KEYS[1], ARGV[1], seq .. ':' .. add)
end
redis.call('EXPIRE', KEYS[1], ARGV[5])
return {'OK', redis.call('HGETALL', KEYS[1])}
`;

/**
 * KEYS[1] cart; ARGV: productId, quantity (0 removes), TTL seconds. Sets an existing line's
 * quantity, keeping its place. {'NOT_IN_CART'}, writing nothing, when the product has no line.
 */
const SET_QUANTITY = `
local current = redis.call('HGET', KEYS[1], ARGV[1])
if not current then return {'NOT_IN_CART'} end
if tonumber(ARGV[2]) == 0 then
  redis.call('HDEL', KEYS[1], ARGV[1])
else
  local seq = string.match(current, '^(%d+):')
  redis.call('HSET', KEYS[1], ARGV[1], seq .. ':' .. ARGV[2])
end
redis.call('EXPIRE', KEYS[1], ARGV[3])
return {'OK', redis.call('HGETALL', KEYS[1])}
`;

/** KEYS[1] cart; ARGV: productId, TTL seconds. Removes the line if there is one. */
const REMOVE = `
if redis.call('HDEL', KEYS[1], ARGV[1]) == 1 then redis.call('EXPIRE', KEYS[1], ARGV[2]) end
return {'OK', redis.call('HGETALL', KEYS[1])}
`;

/**
 * KEYS[1] cart, KEYS[2] the event's processed record; ARGV: record TTL, then product id and ordered
 * quantity pairs. Records the event and takes the ordered units off the lines in one step: a line
 * with more units keeps the rest (and its place), one with no more goes. -1, changing nothing, when
 * the event was recorded before. Otherwise the number of lines removed.
 */
const REMOVE_ORDERED = `
if not redis.call('SET', KEYS[2], '1', 'NX', 'EX', ARGV[1]) then return -1 end
local removed = 0
for i = 2, #ARGV, 2 do
  local current = redis.call('HGET', KEYS[1], ARGV[i])
  if current then
    local seq, qty = string.match(current, '^(%d+):(%d+)$')
    local left = tonumber(qty) - tonumber(ARGV[i + 1])
    if left > 0 then
      redis.call('HSET', KEYS[1], ARGV[i], seq .. ':' .. left)
    else
      removed = removed + redis.call('HDEL', KEYS[1], ARGV[i])
    end
  end
end
return removed
`;

type LuaResult = [string, string[] | string | undefined];

/** Why a change was refused; the service turns it into the contract's error. */
export type Refusal =
  | { refused: 'LINE_TOO_BIG'; currentQuantity: number }
  | { refused: 'TOO_MANY_LINES' }
  | { refused: 'NOT_IN_CART' };

export type ChangeResult = { lines: StoredLine[] } | Refusal;

function changeResult([status, payload]: LuaResult): ChangeResult {
  switch (status) {
    case 'OK':
      return { lines: decodeLines(Array.isArray(payload) ? payload : []) };
    case 'LINE_TOO_BIG':
      return { refused: 'LINE_TOO_BIG', currentQuantity: Number(payload) };
    case 'TOO_MANY_LINES':
      return { refused: 'TOO_MANY_LINES' };
    case 'NOT_IN_CART':
      return { refused: 'NOT_IN_CART' };
    default:
      throw new Error(`unexpected cart script status ${status}`);
  }
}

export interface CartRepositoryOptions {
  redis: Redis;
  /** A cart's time to live after its last change, in seconds. */
  ttlSeconds: number;
  /** Units per line at most. */
  maxQuantity: number;
  /** Lines per cart at most. */
  maxLines: number;
}

export type CartRepository = ReturnType<typeof createCartRepository>;

/** The Redis side of carts: reads and atomic changes, keyed by customer. */
export function createCartRepository({ redis, ttlSeconds, maxQuantity, maxLines }: CartRepositoryOptions) {
  const add = luaCommand(redis, 'cartAdd', 1, ADD);
  const setQuantity = luaCommand(redis, 'cartSetQuantity', 1, SET_QUANTITY);
  const remove = luaCommand(redis, 'cartRemove', 1, REMOVE);
  const removeOrdered = luaCommand(redis, 'cartRemoveOrdered', 2, REMOVE_ORDERED);

  return {
    /** The customer's lines, oldest first; none when the customer has no cart (or it expired). */
    async lines(customerId: string): Promise<StoredLine[]> {
      const hash = await redis.hgetall(cartKey(customerId));
      return decodeLines(Object.entries(hash).flat());
    },

    /** Adds `quantity` units (already checked to be 1..max) to a line, atomically with the limits. */
    async add(customerId: string, productId: string, quantity: number): Promise<ChangeResult> {
      return changeResult(
        (await add(cartKey(customerId), productId, quantity, maxQuantity, maxLines, ttlSeconds)) as LuaResult,
      );
    },

    /** Sets a line's quantity (already checked to be 0..max; 0 removes it). */
    async setQuantity(customerId: string, productId: string, quantity: number): Promise<ChangeResult> {
      return changeResult(
        (await setQuantity(cartKey(customerId), productId, quantity, ttlSeconds)) as LuaResult,
      );
    },

    /** Removes a line; a product without one changes nothing. */
    async remove(customerId: string, productId: string): Promise<StoredLine[]> {
      const result = changeResult((await remove(cartKey(customerId), productId, ttlSeconds)) as LuaResult);
      return 'lines' in result ? result.lines : [];
    },

    /** Removes every line (the whole hash: the sequence starts again). */
    async clear(customerId: string): Promise<void> {
      await redis.del(cartKey(customerId));
    },

    /**
     * Takes the ordered units of order event `eventId` off the customer's lines, once: the event's
     * processed record and the change are one atomic step, so a redelivery changes nothing. A line
     * keeps the units beyond what was ordered (added again before the event came, or never ordered);
     * a line with no more goes. Resolves the number of lines removed, or null when the event had
     * been applied already.
     */
    async removeOrdered(
      customerId: string,
      eventId: string,
      ordered: ReadonlyMap<string, number>,
    ): Promise<number | null> {
      const removed = Number(
        await removeOrdered(
          cartKey(customerId),
          processedKey(customerId, eventId),
          PROCESSED_EVENT_TTL_SECONDS,
          ...[...ordered].flat(),
        ),
      );
      return removed < 0 ? null : removed;
    },
  };
}
