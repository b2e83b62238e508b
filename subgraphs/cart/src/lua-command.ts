import type { Redis } from '@shop/platform';

/** A Lua script registered on a client: call it with its keys first, then its arguments. */
export type LuaCommand = (...keysThenArgs: (string | number)[]) => Promise<unknown>;

/**
 * Registers `lua` on `redis` under `name` (ioredis `defineCommand`: EVALSHA, falling back to EVAL
 * when the server does not have the script yet) and returns it as a function. The client's key
 * prefix applies to the first `numberOfKeys` arguments, as for any command, so scripts must take
 * every key they touch through KEYS.
 */
export function luaCommand(redis: Redis, name: string, numberOfKeys: number, lua: string): LuaCommand {
  redis.defineCommand(name, { numberOfKeys, lua });
  const command = (redis as unknown as Record<string, LuaCommand>)[name]!;
  return (...keysThenArgs) => command.apply(redis, keysThenArgs);
}
