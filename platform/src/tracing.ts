import type { SpanExporter } from '@opentelemetry/sdk-trace';
import { z } from 'zod';
import { flag, loadConfig } from './config.js';
import type { Stoppable } from './lifecycle.js';
import type { Logger } from './logger.js';

/**
 * The standard `OTEL_*` keys tracing reads. OTLP headers, timeout, compression and TLS keys
 * (`OTEL_EXPORTER_OTLP_[TRACES_]HEADERS`, `_TIMEOUT`, `_COMPRESSION`, `_CERTIFICATE`...) are read by the
 * OTLP exporter itself. `OTEL_SERVICE_NAME` is not read: `service.name` is always the service's one name
 * (as its log `service` field and metrics label). An empty value counts as unset, as the specification says.
 */
export const tracingEnv = z.object({
  OTEL_SDK_DISABLED: flag(false),
  /** `otlp` (default) or `none`. */
  OTEL_TRACES_EXPORTER: z.enum(['otlp', 'none']).default('otlp'),
  /** Base URL of an OTLP/HTTP receiver (`/v1/traces` is appended); tracing is off unless it (or the next) is set. */
  OTEL_EXPORTER_OTLP_ENDPOINT: z.url().optional(),
  /** Full URL for traces; wins over `OTEL_EXPORTER_OTLP_ENDPOINT`. */
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: z.url().optional(),
  /**
   * How spans travel: `http/json` (the kit's default) or `http/protobuf` (the specification's default;
   * set it for a receiver that takes only protobuf). `grpc` is not offered: it is refused at start-up.
   * The traces key wins over the general one.
   */
  OTEL_EXPORTER_OTLP_PROTOCOL: z.enum(['http/json', 'http/protobuf']).optional(),
  OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: z.enum(['http/json', 'http/protobuf']).optional(),
  OTEL_TRACES_SAMPLER: z
    .enum([
      'always_on',
      'always_off',
      'traceidratio',
      'parentbased_always_on',
      'parentbased_always_off',
      'parentbased_traceidratio',
    ])
    .default('parentbased_always_on'),
  /** The ratio of the `traceidratio` samplers, 0..1 (default 1). */
  OTEL_TRACES_SAMPLER_ARG: z.coerce.number().min(0).max(1).optional(),
  /** Batch span processor: delay between exports (ms, default 5000), export timeout (ms, default 30000), queue and batch sizes (2048, 512). */
  OTEL_BSP_SCHEDULE_DELAY: z.coerce.number().int().min(0).optional(),
  OTEL_BSP_EXPORT_TIMEOUT: z.coerce.number().int().min(0).optional(),
  OTEL_BSP_MAX_QUEUE_SIZE: z.coerce.number().int().min(1).optional(),
  OTEL_BSP_MAX_EXPORT_BATCH_SIZE: z.coerce.number().int().min(1).optional(),
  /** Span limits (the span-specific key wins over the general one). */
  OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT: z.coerce.number().int().min(0).optional(),
  OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT: z.coerce.number().int().min(0).optional(),
  OTEL_ATTRIBUTE_COUNT_LIMIT: z.coerce.number().int().min(0).optional(),
  OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT: z.coerce.number().int().min(0).optional(),
  OTEL_SPAN_EVENT_COUNT_LIMIT: z.coerce.number().int().min(0).optional(),
  OTEL_SPAN_LINK_COUNT_LIMIT: z.coerce.number().int().min(0).optional(),
  /** `key=value,...` added to every span's resource (e.g. `deployment.environment.name=staging`). */
  OTEL_RESOURCE_ATTRIBUTES: z.string().optional(),
  /** `tracecontext` and/or `baggage` (default both), or `none`. */
  OTEL_PROPAGATORS: z
    .string()
    .default('tracecontext,baggage')
    .transform((v) =>
      v
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.enum(['tracecontext', 'baggage', 'none']))),
  /** The SDK's own diagnostics, logged through the service's logger (default `info`). */
  OTEL_LOG_LEVEL: z
    .string()
    .default('info')
    .transform((v) => v.toLowerCase())
    .pipe(z.enum(['none', 'error', 'warn', 'info', 'debug', 'verbose', 'all'])),
});
export type TracingConfig = z.infer<typeof tracingEnv>;

/** The keys that decide whether tracing is on at all: the rest is only validated when it is. */
const switches = tracingEnv.pick({
  OTEL_SDK_DISABLED: true,
  OTEL_TRACES_EXPORTER: true,
  OTEL_EXPORTER_OTLP_ENDPOINT: true,
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: true,
});

/** Where and how the OTLP/HTTP exporter sends spans. */
export interface OtlpExportTarget {
  /** The traces URL (`<OTEL_EXPORTER_OTLP_ENDPOINT>/v1/traces`, or `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`). */
  url: string;
  /** The body's encoding (`OTEL_EXPORTER_OTLP_TRACES_PROTOCOL`, else `OTEL_EXPORTER_OTLP_PROTOCOL`, else `http/json`). */
  protocol: 'http/json' | 'http/protobuf';
}

export interface TracingOptions {
  /**
   * Environment read for the keys above (default `process.env`). The OTLP exporter reads its own keys
   * (headers, timeout, compression, certificates) from `process.env` whatever this says.
   */
  env?: NodeJS.ProcessEnv;
  /** Receives the SDK's diagnostics (export failures...) at `OTEL_LOG_LEVEL`. */
  logger?: Logger;
  /**
   * Makes the exporter (default: OTLP/HTTP to `target.url`, JSON or protobuf as `target.protocol`
   * says). Called once, and only when tracing is on; tests pass an in-memory exporter here.
   */
  createExporter?: (target: OtlpExportTarget) => SpanExporter;
}

/** Tracing as `startTracing` left it; a `Stoppable` (last in `runService`'s list: it flushes what the others recorded). */
export interface Tracing extends Stoppable {
  /** True when spans are recorded and exported. */
  readonly enabled: boolean;
  /** Exports every ended span now (resolves at once when off). */
  flush(): Promise<void>;
  /** Flushes, shuts the exporter down and unregisters the SDK from the API. Idempotent. */
  stop(): Promise<void>;
}

const OFF: Tracing = {
  name: 'tracing',
  enabled: false,
  flush: async () => undefined,
  stop: async () => undefined,
};

/** Drops empty values: the specification treats `OTEL_X=` as unset. */
function withoutEmpty(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v.trim() !== ''));
}

/** The traces URL `config` names, or undefined when tracing is off by configuration. */
export function otlpTracesUrl(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const on = loadConfig(switches, withoutEmpty(env));
  if (on.OTEL_SDK_DISABLED || on.OTEL_TRACES_EXPORTER === 'none') return undefined;
  if (on.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) return on.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT;
  if (!on.OTEL_EXPORTER_OTLP_ENDPOINT) return undefined;
  return `${on.OTEL_EXPORTER_OTLP_ENDPOINT.replace(/\/+$/, '')}/v1/traces`;
}

/**
 * Starts OpenTelemetry tracing for `service` (its one name becomes `service.name`) when
 * `OTEL_EXPORTER_OTLP_ENDPOINT` (or `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`) is set and neither
 * `OTEL_SDK_DISABLED=true` nor `OTEL_TRACES_EXPORTER=none` says otherwise: a tracer provider with the
 * configured sampler (default parent-based always-on) and a batch span processor exporting OTLP/HTTP
 * JSON, W3C trace-context and baggage propagation, and an AsyncLocalStorage context manager, all
 * registered with `@opentelemetry/api`, which the kit's explicit instrumentation uses.
 *
 * Off (the default), nothing is started and the SDK is not even loaded: the API stays a no-op and the
 * instrumentation's fast paths apply. Call it once, from `main.ts`, before the service opens its parts.
 * Throws `ConfigError` listing every invalid `OTEL_*` key when tracing is on.
 */
export async function startTracing(service: string, options: TracingOptions = {}): Promise<Tracing> {
  const env = withoutEmpty(options.env ?? process.env);
  const url = otlpTracesUrl(env);
  if (!url) return OFF;
  const config = loadConfig(tracingEnv, env);
  const target: OtlpExportTarget = {
    url,
    protocol: config.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL ?? config.OTEL_EXPORTER_OTLP_PROTOCOL ?? 'http/json',
  };
  // Loaded only when on: a service without an endpoint never evaluates the SDK's code.
  const { registerTracing } = await import('./tracing-sdk.js');
  const registered = registerTracing({
    service,
    config,
    exporter: options.createExporter?.(target) ?? (await otlpExporter(target)),
    ...(options.logger ? { logger: options.logger } : {}),
  });
  options.logger?.info(
    { endpoint: url, protocol: target.protocol, sampler: config.OTEL_TRACES_SAMPLER },
    'tracing started',
  );
  let stopped: Promise<void> | undefined;
  return {
    name: 'tracing',
    enabled: true,
    flush: () => registered.flush(),
    stop() {
      stopped ??= registered.shutdown();
      return stopped;
    },
  };
}

/**
 * The OTLP/HTTP exporter for `target`. It reads the remaining `OTEL_EXPORTER_OTLP_[TRACES_]*` keys
 * itself (headers, timeout, compression, certificates); the URL is given, so its own endpoint and
 * protocol keys are not consulted.
 */
async function otlpExporter({ url, protocol }: OtlpExportTarget): Promise<SpanExporter> {
  if (protocol === 'http/protobuf') {
    const { OTLPTraceExporter } = await import('@opentelemetry/exporter-trace-otlp-proto');
    return new OTLPTraceExporter({ url });
  }
  const { OTLPTraceExporter } = await import('@opentelemetry/exporter-trace-otlp-http');
  return new OTLPTraceExporter({ url });
}
