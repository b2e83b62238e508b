/**
 * The OpenTelemetry SDK wiring behind `startTracing` (tracing.ts), loaded by it only when tracing is on.
 * `@opentelemetry/sdk-trace` (SDK 3) is the trace SDK for Node; it reads no environment itself, so the
 * standard `OTEL_*` keys validated in tracing.ts are applied here.
 */
import { hostname } from 'node:os';
import { context, diag, propagation, trace, DiagLogLevel, type DiagLogger } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  CompositePropagator,
  parseKeyPairsIntoRecord,
  W3CBaggagePropagator,
  W3CTraceContextPropagator,
} from '@opentelemetry/core';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  BatchSpanProcessor,
  ParentBasedSampler,
  TraceIdRatioBasedSampler,
  TracerProvider,
  type Sampler,
  type SpanExporter,
  type SpanLimits,
} from '@opentelemetry/sdk-trace';
import { ATTR_SERVICE_INSTANCE_ID, ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import type { Logger } from './logger.js';
import { ATTR_HOST_NAME, ATTR_PROCESS_PID } from './semconv.js';
import { markTracingRegistered } from './trace-context.js';
import type { TracingConfig } from './tracing.js';

export interface RegisterTracingOptions {
  service: string;
  config: TracingConfig;
  exporter: SpanExporter;
  logger?: Logger;
}

/** The sampler `OTEL_TRACES_SAMPLER` / `OTEL_TRACES_SAMPLER_ARG` name. */
export function samplerFrom(
  config: Pick<TracingConfig, 'OTEL_TRACES_SAMPLER' | 'OTEL_TRACES_SAMPLER_ARG'>,
): Sampler {
  const ratio = () => new TraceIdRatioBasedSampler(config.OTEL_TRACES_SAMPLER_ARG ?? 1);
  switch (config.OTEL_TRACES_SAMPLER) {
    case 'always_on':
      return new AlwaysOnSampler();
    case 'always_off':
      return new AlwaysOffSampler();
    case 'traceidratio':
      return ratio();
    case 'parentbased_always_off':
      return new ParentBasedSampler({ root: new AlwaysOffSampler() });
    case 'parentbased_traceidratio':
      return new ParentBasedSampler({ root: ratio() });
    case 'parentbased_always_on':
      return new ParentBasedSampler({ root: new AlwaysOnSampler() });
  }
}

function spanLimitsFrom(config: TracingConfig): SpanLimits {
  const limits: SpanLimits = {};
  const valueLength =
    config.OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT ?? config.OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT;
  const count = config.OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT ?? config.OTEL_ATTRIBUTE_COUNT_LIMIT;
  if (valueLength !== undefined) limits.attributeValueLengthLimit = valueLength;
  if (count !== undefined) limits.attributeCountLimit = count;
  if (config.OTEL_SPAN_EVENT_COUNT_LIMIT !== undefined)
    limits.eventCountLimit = config.OTEL_SPAN_EVENT_COUNT_LIMIT;
  if (config.OTEL_SPAN_LINK_COUNT_LIMIT !== undefined)
    limits.linkCountLimit = config.OTEL_SPAN_LINK_COUNT_LIMIT;
  return limits;
}

const DIAG_LEVELS: Record<TracingConfig['OTEL_LOG_LEVEL'], DiagLogLevel> = {
  none: DiagLogLevel.NONE,
  error: DiagLogLevel.ERROR,
  warn: DiagLogLevel.WARN,
  info: DiagLogLevel.INFO,
  debug: DiagLogLevel.DEBUG,
  verbose: DiagLogLevel.VERBOSE,
  all: DiagLogLevel.ALL,
};

/** The SDK's diagnostics as the service's log lines (`component: opentelemetry`). */
function diagLogger(logger: Logger): DiagLogger {
  const log = logger.child({ component: 'opentelemetry' });
  const line =
    (level: 'error' | 'warn' | 'info' | 'debug' | 'trace') =>
    (message: string, ...args: unknown[]) =>
      log[level](args.length ? { args: args.map((a) => (a instanceof Error ? a.message : a)) } : {}, message);
  return {
    error: line('error'),
    warn: line('warn'),
    info: line('info'),
    debug: line('debug'),
    verbose: line('trace'),
  };
}

/**
 * Registers a tracer provider (resource: `service.name`, `service.instance.id`, `host.name`,
 * `process.pid`, then `OTEL_RESOURCE_ATTRIBUTES`, which cannot replace `service.name`), the propagators
 * and the AsyncLocalStorage context manager with the API. `shutdown` exports what is left and
 * unregisters all three, so the API is a no-op again.
 */
export function registerTracing({ service, config, exporter, logger }: RegisterTracingOptions) {
  if (logger) diag.setLogger(diagLogger(logger), DIAG_LEVELS[config.OTEL_LOG_LEVEL]);
  const extra = config.OTEL_RESOURCE_ATTRIBUTES
    ? parseKeyPairsIntoRecord(config.OTEL_RESOURCE_ATTRIBUTES)
    : {};
  const resource = resourceFromAttributes({
    [ATTR_SERVICE_INSTANCE_ID]: `${hostname()}-${process.pid}`,
    [ATTR_HOST_NAME]: hostname(),
    [ATTR_PROCESS_PID]: process.pid,
    ...extra,
    [ATTR_SERVICE_NAME]: service,
  });
  const provider = new TracerProvider({
    resource,
    sampler: samplerFrom(config),
    spanLimits: spanLimitsFrom(config),
    spanProcessors: [
      new BatchSpanProcessor({
        exporter,
        ...(config.OTEL_BSP_SCHEDULE_DELAY !== undefined
          ? { scheduledDelayMillis: config.OTEL_BSP_SCHEDULE_DELAY }
          : {}),
        ...(config.OTEL_BSP_EXPORT_TIMEOUT !== undefined
          ? { exportTimeoutMillis: config.OTEL_BSP_EXPORT_TIMEOUT }
          : {}),
        ...(config.OTEL_BSP_MAX_QUEUE_SIZE !== undefined
          ? { maxQueueSize: config.OTEL_BSP_MAX_QUEUE_SIZE }
          : {}),
        ...(config.OTEL_BSP_MAX_EXPORT_BATCH_SIZE !== undefined
          ? { maxExportBatchSize: config.OTEL_BSP_MAX_EXPORT_BATCH_SIZE }
          : {}),
      }),
    ],
  });
  const contextManager = new AsyncLocalStorageContextManager().enable();
  context.setGlobalContextManager(contextManager);
  const propagators = config.OTEL_PROPAGATORS.includes('none') ? [] : config.OTEL_PROPAGATORS;
  propagation.setGlobalPropagator(
    new CompositePropagator({
      propagators: propagators.map((name) =>
        name === 'baggage' ? new W3CBaggagePropagator() : new W3CTraceContextPropagator(),
      ),
    }),
  );
  trace.setGlobalTracerProvider(provider);
  markTracingRegistered(true);
  return {
    flush: () => provider.forceFlush(),
    async shutdown() {
      try {
        await provider.shutdown();
      } finally {
        markTracingRegistered(false);
        trace.disable();
        propagation.disable();
        context.disable();
        diag.disable();
      }
    },
  };
}
