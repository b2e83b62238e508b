import { context, SpanKind } from '@opentelemetry/api';
import {
  ATTR_DB_NAMESPACE,
  ATTR_DB_OPERATION_NAME,
  ATTR_DB_SYSTEM_NAME,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
} from '@opentelemetry/semantic-conventions';
import { Redis, type Command } from 'ioredis';
import { isRecording, recordSpanError, tracer } from './trace-context.js';

export type { Redis } from 'ioredis';

/**
 * ioredis with a CLIENT span per command (database semantic conventions: `db.system.name` redis, the
 * command as `db.operation.name` and span name, no arguments recorded), for commands sent inside a
 * recording span only: Redis never starts a trace, and with tracing off a command costs one check more.
 * `sendCommand` is where every command, pipelined ones included, goes through.
 */
class TracedRedis extends Redis {
  override sendCommand(command: Command, stream?: Parameters<Redis['sendCommand']>[1]): unknown {
    const parent = context.active();
    if (isRecording(parent)) {
      const operation = command.name.toUpperCase();
      const { host, port, db } = this.options;
      const span = tracer().startSpan(
        operation,
        {
          kind: SpanKind.CLIENT,
          attributes: {
            [ATTR_DB_SYSTEM_NAME]: 'redis',
            [ATTR_DB_OPERATION_NAME]: operation,
            [ATTR_DB_NAMESPACE]: String(db ?? 0),
            ...(host ? { [ATTR_SERVER_ADDRESS]: host } : {}),
            ...(port ? { [ATTR_SERVER_PORT]: port } : {}),
          },
        },
        parent,
      );
      command.promise.then(
        () => span.end(),
        (error: unknown) => {
          recordSpanError(span, error);
          span.end();
        },
      );
    }
    return super.sendCommand(command, stream);
  }
}

/**
 * An ioredis client that reconnects with capped backoff and fails commands fast (instead of
 * queueing without bound) while disconnected for longer than one retry. `keyPrefix` namespaces
 * the subgraph's keys (e.g. `cart:`). Commands are spans of the trace they run in (tracing on).
 */
export function createRedis(url: string, { keyPrefix }: { keyPrefix?: string } = {}): Redis {
  return new TracedRedis(url, {
    ...(keyPrefix ? { keyPrefix } : {}),
    lazyConnect: false,
    maxRetriesPerRequest: 2,
    enableOfflineQueue: true,
    retryStrategy: (attempt) => Math.min(attempt * 100, 2_000),
  });
}

/** True when Redis answers PING (readiness). */
export async function redisIsReady(redis: Redis): Promise<boolean> {
  try {
    return (await redis.ping()) === 'PONG';
  } catch {
    return false;
  }
}
