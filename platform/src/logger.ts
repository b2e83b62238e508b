import { pino, type Logger, type LoggerOptions } from 'pino';
import { activeSpanContext } from './trace-context.js';

export type { Logger } from 'pino';

/** `traceId` and `spanId` of the span active where a line is logged, so logs link to traces; none when tracing is off. */
export function traceFields(): { traceId?: string; spanId?: string } {
  const span = activeSpanContext();
  // A fresh object either way: pino merges the line's own fields into what the mixin returns.
  return span ? { traceId: span.traceId, spanId: span.spanId } : {};
}

/**
 * JSON logs with a `service` field (the subgraph's one name), and `traceId`/`spanId` on every line
 * logged inside a span (tracing on). Secrets that might reach a log line (authorization headers,
 * passwords, tokens) are redacted. Level defaults to `info`.
 */
export function createLogger(service: string, options: LoggerOptions = {}): Logger {
  return pino({
    level: options.level ?? 'info',
    base: { service },
    redact: {
      paths: [
        'req.headers.authorization',
        '*.password',
        '*.refreshToken',
        '*.accessToken',
        'variables.password',
        'variables.input.password',
      ],
      censor: '[redacted]',
    },
    timestamp: pino.stdTimeFunctions.isoTime,
    mixin: traceFields,
    ...options,
  });
}
