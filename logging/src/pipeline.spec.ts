import { describe, expect, it } from '@jest/globals';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pino } from 'pino';
import { parse } from 'yaml';
import { parseAlloy } from './alloy-syntax.js';
import {
  alloyPipeline,
  applyStages,
  LOGGING_DIR,
  promtailPipeline,
  relabel,
  templateMapping,
} from './pipeline.js';

const pod = (partOf = 'ecommerce-platform') => ({
  __meta_kubernetes_namespace: 'shop',
  __meta_kubernetes_pod_name: 'orders-7d9f-abcde',
  __meta_kubernetes_pod_uid: '0f1e2d3c',
  __meta_kubernetes_pod_container_name: 'orders',
  __meta_kubernetes_pod_label_app_kubernetes_io_name: 'orders',
  __meta_kubernetes_pod_label_app_kubernetes_io_part_of: partOf,
});

describe('the Promtail and Alloy pipelines', () => {
  it('are the same stages and relabelling, Alloy wired source -> process -> write', async () => {
    const promtail = await promtailPipeline();
    const alloy = await alloyPipeline();
    expect(alloy).toEqual(promtail);
    expect(promtail.stages.map((s) => s.type)).toEqual([
      'cri',
      'json',
      'template',
      'labels',
      'structured_metadata',
      'labeldrop',
    ]);
  });

  it("map every one of pino's numeric levels to its name", async () => {
    const template = (await promtailPipeline()).stages.find((s) => s.type === 'template');
    const mapping = templateMapping(template!.type === 'template' ? template!.template : '');
    expect(Object.fromEntries(mapping)).toEqual(
      Object.fromEntries(Object.entries(pino.levels.labels).map(([n, label]) => [n, label])),
    );
  });

  it("keep only the chart's pods, labelled namespace, pod and service, tailing the pod's CRI files", async () => {
    const { relabel: rules } = await promtailPipeline();
    expect(relabel(rules, pod())).toEqual({
      namespace: 'shop',
      pod: 'orders-7d9f-abcde',
      service: 'orders',
      __path__: '/var/log/pods/*0f1e2d3c/orders/*.log',
    });
    expect(relabel(rules, pod('something-else'))).toBeUndefined();
  });

  it('label a line that is not JSON by its pod only', async () => {
    const { relabel: rules, stages } = await promtailPipeline();
    const entry = applyStages(
      stages,
      relabel(rules, pod())!,
      '2026-03-01T10:00:00.1Z stderr F TypeError: boom',
    );
    expect(entry).toEqual({
      labels: { namespace: 'shop', pod: 'orders-7d9f-abcde', service: 'orders' },
      structuredMetadata: {},
      line: 'TypeError: boom',
    });
  });
});

describe('parseAlloy', () => {
  it('reads blocks, labels, attributes, objects, arrays, raw strings and references', () => {
    const [block] = parseAlloy(
      'a.b "x" {\n  n = 1\n  s = `r"aw`\n  o = { k = "v", "q" = [true, null] }\n  r = c.d.e\n  inner {}\n}\n',
    );
    expect(block).toEqual({
      name: 'a.b',
      label: 'x',
      attributes: { n: 1, s: 'r"aw', o: { k: 'v', q: [true, null] }, r: { ref: 'c.d.e' } },
      blocks: [{ name: 'inner', attributes: {}, blocks: [] }],
    });
  });

  it('refuses broken syntax with the line of the error', () => {
    expect(() => parseAlloy('a {\n  b = "open\n}')).toThrow('alloy: line 2: unterminated string');
    expect(() => parseAlloy('a {\n  b = 1\n')).toThrow(/expected }/);
    expect(() => parseAlloy('a {\n  b = 1\n  b = 2\n}')).toThrow('attribute b set twice');
  });
});

describe('Loki and the Grafana datasources', () => {
  it('store structured metadata (TSDB, schema v13, allowed)', async () => {
    const loki = parse(await readFile(join(LOGGING_DIR, 'loki', 'loki.yaml'), 'utf8'));
    expect(loki.schema_config.configs.at(-1)).toMatchObject({ store: 'tsdb', schema: 'v13' });
    expect(loki.limits_config.allow_structured_metadata).toBe(true);
  });

  it("link a line's traceId to the Tempo datasource, which links back", async () => {
    const { datasources } = parse(await readFile(join(LOGGING_DIR, 'grafana', 'datasources.yaml'), 'utf8'));
    const loki = datasources.find((d: { type: string }) => d.type === 'loki');
    const tempo = datasources.find((d: { type: string }) => d.type === 'tempo');
    const { stages } = await promtailPipeline();
    const metadata = stages.find((s) => s.type === 'structured_metadata');
    expect(Object.keys(metadata!.type === 'structured_metadata' ? metadata!.values : {})).toContain(
      'traceId',
    );
    expect(loki.jsonData.derivedFields).toEqual([
      expect.objectContaining({ matcherType: 'label', matcherRegex: 'traceId', datasourceUid: tempo.uid }),
    ]);
    expect(tempo.jsonData.tracesToLogsV2.datasourceUid).toBe(loki.uid);
  });
});
