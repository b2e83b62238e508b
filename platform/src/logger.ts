import { pino, type Logger, type LoggerOptions } from 'pino';

export type { Logger } from 'pino';

/**
 * JSON logs with a `service` field (the subgraph's one name). Secrets that might reach a log line
 * (authorization headers, passwords, tokens) are redacted. Level defaults to `info`.
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
    ...options,
  });
}
