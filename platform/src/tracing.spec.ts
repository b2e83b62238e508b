import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { context, propagation, trace } from '@opentelemetry/api';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace';
import { ConfigError } from './config.js';
import { activeSpanContext, tracingEnabled, withSpan } from './trace-context.js';
import { otlpTracesUrl, startTracing, type OtlpExportTarget, type Tracing } from './tracing.js';

describe('startTracing', () => {
  let tracing: Tracing | undefined;
  afterEach(async () => {
    await tracing?.stop();
    tracing = undefined;
  });

  it('is off without an endpoint: no exporter, no SDK, the API stays a no-op', async () => {
    const createExporter = jest.fn(() => new InMemorySpanExporter());
    tracing = await startTracing('widgets', { env: {}, createExporter });
    expect(tracing.enabled).toBe(false);
    expect(createExporter).not.toHaveBeenCalled();
    expect(tracingEnabled()).toBe(false);
    const span = trace.getTracer('probe').startSpan('nothing');
    expect(span.isRecording()).toBe(false);
    expect(activeSpanContext(trace.setSpan(context.active(), span))).toBeUndefined();
    expect(propagation.fields()).toEqual([]);
    // Work still runs, and an empty value counts as unset.
    await expect(withSpan('work', {}, () => 42)).resolves.toBe(42);
    const blank = await startTracing('widgets', {
      env: { OTEL_EXPORTER_OTLP_ENDPOINT: ' ' },
      createExporter,
    });
    expect(blank.enabled).toBe(false);
    expect(createExporter).not.toHaveBeenCalled();
  });

  it('stays off when the endpoint is set but the SDK is disabled or the exporter is none', async () => {
    const createExporter = jest.fn(() => new InMemorySpanExporter());
    for (const env of [
      { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_SDK_DISABLED: 'true' },
      { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_TRACES_EXPORTER: 'none' },
    ]) {
      expect((await startTracing('widgets', { env, createExporter })).enabled).toBe(false);
    }
    expect(createExporter).not.toHaveBeenCalled();
  });

  it('with an endpoint, records spans named for the service and exports them', async () => {
    const exporter = new InMemorySpanExporter();
    const createExporter = jest.fn((_target: OtlpExportTarget) => exporter);
    tracing = await startTracing('widgets', {
      env: {
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/',
        OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment.name=test,service.name=ignored',
      },
      createExporter,
    });
    expect(tracing.enabled).toBe(true);
    expect(createExporter).toHaveBeenCalledTimes(1);
    expect(createExporter).toHaveBeenCalledWith({
      url: 'http://collector:4318/v1/traces',
      protocol: 'http/json',
    });
    expect(propagation.fields()).toEqual(expect.arrayContaining(['traceparent', 'tracestate', 'baggage']));
    await withSpan('outer', {}, () => withSpan('inner', {}, () => undefined));
    await tracing.flush();
    const spans = exporter.getFinishedSpans();
    expect(spans.map((s) => s.name)).toEqual(['inner', 'outer']);
    const [inner, outer] = spans;
    expect(inner!.parentSpanContext?.spanId).toBe(outer!.spanContext().spanId);
    expect(outer!.resource.attributes).toMatchObject({
      'service.name': 'widgets',
      'deployment.environment.name': 'test',
    });

    await tracing.stop();
    expect(tracingEnabled()).toBe(false);
    expect(trace.getTracer('probe').startSpan('after').isRecording()).toBe(false);
  });

  it('honours the sampler keys', async () => {
    const exporter = new InMemorySpanExporter();
    tracing = await startTracing('widgets', {
      env: {
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://collector:4318/v1/traces',
        OTEL_TRACES_SAMPLER: 'always_off',
      },
      createExporter: () => exporter,
    });
    await withSpan('dropped', {}, () => undefined);
    await tracing.flush();
    expect(exporter.getFinishedSpans()).toEqual([]);
  });

  it('takes the protocol from the traces key, else the general one, else JSON; gRPC is refused', async () => {
    const targets: OtlpExportTarget[] = [];
    const createExporter = (target: OtlpExportTarget) => {
      targets.push(target);
      return new InMemorySpanExporter();
    };
    const endpoint = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' };
    for (const env of [
      { ...endpoint, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf' },
      {
        ...endpoint,
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
        OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/json',
      },
    ]) {
      await (await startTracing('widgets', { env, createExporter })).stop();
    }
    expect(targets.map((t) => t.protocol)).toEqual(['http/protobuf', 'http/json']);
    await expect(
      startTracing('widgets', { env: { ...endpoint, OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' }, createExporter }),
    ).rejects.toThrow(/OTEL_EXPORTER_OTLP_PROTOCOL/);
  });

  it('lists every invalid OTEL_* key when tracing is on', async () => {
    const started = startTracing('widgets', {
      env: {
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
        OTEL_TRACES_SAMPLER: 'sometimes',
        OTEL_BSP_SCHEDULE_DELAY: 'soon',
        OTEL_PROPAGATORS: 'tracecontext,b3',
      },
      createExporter: () => new InMemorySpanExporter(),
    });
    await expect(started).rejects.toThrow(ConfigError);
    await expect(started).rejects.toThrow(
      /OTEL_TRACES_SAMPLER[\s\S]*OTEL_BSP_SCHEDULE_DELAY[\s\S]*OTEL_PROPAGATORS/,
    );
  });
});

describe('otlpTracesUrl', () => {
  it('appends /v1/traces to the base endpoint; the traces endpoint is taken as it is and wins', () => {
    expect(otlpTracesUrl({})).toBeUndefined();
    expect(otlpTracesUrl({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318' })).toBe('http://c:4318/v1/traces');
    expect(
      otlpTracesUrl({
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318',
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://t:9999/custom',
      }),
    ).toBe('http://t:9999/custom');
  });
});
