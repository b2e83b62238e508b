import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { pino } from 'pino';
import { dropDatabase } from '../../platform/src/testing/database.js';
import { releasePort, reservePort } from '../../platform/src/testing/ports.js';
import { waitFor } from '../../platform/src/testing/wait-for.js';
import { ROOT } from '../../scripts/stack.js';
import { alloyPipeline, applyStages, promtailPipeline, relabel } from '../src/pipeline.js';

// Real lines from a real service (products, its compiled bundle, tracing on so lines carry traceId),
// as the kubelet writes them (CRI), through the Promtail and the Alloy pipeline.
const database = `products_logs_${randomUUID().slice(0, 8)}`;
const lines: string[] = [];
let service: ChildProcess;
let collector: Server;
let port = 0;

beforeAll(async () => {
  // An OTLP endpoint that takes the spans and drops them: tracing on, nothing else needed.
  collector = createServer((req, res) => req.resume().on('end', () => res.writeHead(200).end('{}')));
  await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', resolve));
  port = await reservePort();
  service = spawn(process.execPath, [join(ROOT, 'dist', 'products', 'main.mjs')], {
    cwd: ROOT,
    env: {
      ...process.env,
      PORT: String(port),
      DATABASE_NAME: database,
      KAFKA_NAMESPACE: `${database}.`,
      LOG_LEVEL: 'debug',
      OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${(collector.address() as { port: number }).port}`,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let buffered = '';
  service.stdout!.on('data', (chunk: Buffer) => {
    buffered += chunk.toString('utf8');
    const complete = buffered.split('\n');
    buffered = complete.pop()!;
    lines.push(...complete.filter(Boolean));
  });
  service.stderr!.on('data', (chunk: Buffer) =>
    lines.push(...chunk.toString('utf8').split('\n').filter(Boolean)),
  );
  await waitFor(
    async () => (await fetch(`http://127.0.0.1:${port}/health/ready`).catch(() => undefined))?.ok,
    60_000,
    'products ready',
  );
  const ask = (query: string) =>
    fetch(`http://127.0.0.1:${port}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': `logs-${randomUUID()}` },
      body: JSON.stringify({ query }),
    });
  await ask('query Fine { __typename }');
  await ask('query Refused { nothingHere }');
  const exited = new Promise((resolve) => service.once('exit', resolve));
  service.kill('SIGTERM');
  await exited;
}, 90_000);

afterAll(async () => {
  if (service?.exitCode === null) service.kill('SIGKILL');
  await new Promise((resolve) => collector?.close(resolve));
  releasePort(port);
  await dropDatabase(database);
});

describe('the log pipelines on lines products printed', () => {
  const target = {
    __meta_kubernetes_namespace: 'shop',
    __meta_kubernetes_pod_name: 'products-6f7d-xyz12',
    __meta_kubernetes_pod_uid: '9c8b7a65',
    __meta_kubernetes_pod_container_name: 'products',
    __meta_kubernetes_pod_label_app_kubernetes_io_name: 'products',
    __meta_kubernetes_pod_label_app_kubernetes_io_part_of: 'ecommerce-platform',
  };
  const cri = (line: string, at: number) =>
    `2026-03-01T10:00:${String(at % 60).padStart(2, '0')}.123456789Z stdout F ${line}`;

  it('give every JSON line the labels service and level only (besides namespace and pod), its ids as metadata', async () => {
    const json = lines.filter((l) => l.startsWith('{')).map((l) => ({ raw: l, parsed: JSON.parse(l) }));
    expect(json.length).toBeGreaterThan(3);
    const withRequest = json.filter((l) => l.parsed.requestId);
    const withTrace = json.filter((l) => l.parsed.traceId);
    expect(withRequest.length).toBeGreaterThan(0);
    expect(withTrace.length).toBeGreaterThan(0);
    expect(new Set(json.map((l) => l.parsed.level)).size).toBeGreaterThan(1);

    for (const read of [promtailPipeline, alloyPipeline]) {
      const { relabel: rules, stages } = await read();
      const labels = relabel(rules, target)!;
      json.forEach(({ raw, parsed }, i) => {
        const entry = applyStages(stages, labels, cri(raw, i));
        expect(entry.line).toBe(raw);
        expect(entry.labels).toEqual({
          namespace: 'shop',
          pod: 'products-6f7d-xyz12',
          service: 'products',
          level: pino.levels.labels[parsed.level],
        });
        expect(entry.structuredMetadata).toEqual({
          ...(parsed.requestId ? { requestId: parsed.requestId } : {}),
          ...(parsed.traceId ? { traceId: parsed.traceId } : {}),
        });
      });
    }
    // The refused operation's line carries the request id the caller sent.
    expect(withRequest.some((l) => /^logs-/.test(l.parsed.requestId))).toBe(true);
    expect(withTrace.every((l) => /^[0-9a-f]{32}$/.test(l.parsed.traceId))).toBe(true);
  });
});
