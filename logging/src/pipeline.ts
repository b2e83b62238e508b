/**
 * The log pipeline of logging/promtail/promtail.yaml and logging/alloy/config.alloy read into one
 * form, and applied to log lines as Promtail and Alloy apply it (the stages these files use: cri,
 * json, template, labels, structured_metadata, labeldrop, and the target's relabelling), so specs can
 * check what Loki receives from the lines the services print.
 */
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { parseAlloy, type AlloyBlock, type AlloyValue } from './alloy-syntax.js';

export const LOGGING_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..');

export interface RelabelRule {
  source_labels: string[];
  regex?: string;
  action?: 'keep' | 'drop' | 'replace';
  target_label?: string;
  replacement?: string;
  separator?: string;
}

export type Stage =
  | { type: 'cri' }
  | { type: 'json'; expressions: Record<string, string> }
  | { type: 'template'; source: string; template: string }
  | { type: 'labels'; values: Record<string, string> }
  | { type: 'structured_metadata'; values: Record<string, string> }
  | { type: 'labeldrop'; names: string[] };

export interface Pipeline {
  relabel: RelabelRule[];
  stages: Stage[];
}

/** Promtail's scrape config for the platform's pods. */
export async function promtailPipeline(
  path = join(LOGGING_DIR, 'promtail', 'promtail.yaml'),
): Promise<Pipeline> {
  const config = parse(await readFile(path, 'utf8')) as {
    scrape_configs: {
      job_name: string;
      relabel_configs: RelabelRule[];
      pipeline_stages: Record<string, any>[];
    }[];
  };
  const job = config.scrape_configs.find((s) => s.job_name === 'shop')!;
  const stages = job.pipeline_stages.map((entry): Stage => {
    const [type, spec] = Object.entries(entry)[0]!;
    const names = (values: Record<string, string | null>) =>
      Object.fromEntries(Object.entries(values).map(([k, v]) => [k, v ?? k]));
    switch (type) {
      case 'cri':
        return { type };
      case 'json':
        return { type, expressions: spec.expressions };
      case 'template':
        return { type, source: spec.source, template: spec.template };
      case 'labels':
      case 'structured_metadata':
        return { type, values: names(spec) };
      case 'labeldrop':
        return { type, names: spec };
      default:
        throw new Error(`promtail: stage ${type} is not one this pipeline knows`);
    }
  });
  return { relabel: job.relabel_configs, stages };
}

const str = (v: AlloyValue | undefined) => (typeof v === 'string' ? v : undefined);
const strings = (v: AlloyValue | undefined) => (Array.isArray(v) ? v.map((x) => String(x)) : []);
const map = (v: AlloyValue | undefined) =>
  Object.fromEntries(Object.entries((v ?? {}) as Record<string, AlloyValue>).map(([k, x]) => [k, String(x)]));

/** Alloy's components for the same pods, checked to be wired source -> process -> write. */
export async function alloyPipeline(path = join(LOGGING_DIR, 'alloy', 'config.alloy')): Promise<Pipeline> {
  const blocks = parseAlloy(await readFile(path, 'utf8'));
  const find = (name: string) => {
    const block = blocks.find((b) => b.name === name);
    if (!block) throw new Error(`alloy: no ${name} block`);
    return block;
  };
  const ref = (block: AlloyBlock, attribute: string) =>
    (block.attributes[attribute] as { ref?: string } | undefined)?.ref;
  const relabel = find('discovery.relabel');
  const files = find('local.file_match');
  const source = find('loki.source.file');
  const process = find('loki.process');
  const write = find('loki.write');
  const wiring = [
    [ref(relabel, 'targets'), `discovery.kubernetes.${find('discovery.kubernetes').label}.targets`],
    [ref(files, 'path_targets'), `discovery.relabel.${relabel.label}.output`],
    [ref(source, 'targets'), `local.file_match.${files.label}.targets`],
    [(source.attributes.forward_to as { ref: string }[])?.[0]?.ref, `loki.process.${process.label}.receiver`],
    [(process.attributes.forward_to as { ref: string }[])?.[0]?.ref, `loki.write.${write.label}.receiver`],
  ];
  for (const [got, want] of wiring)
    if (got !== want) throw new Error(`alloy: ${want} is not wired (found ${got})`);
  const stages = process.blocks.map((stage): Stage => {
    const a = stage.attributes;
    switch (stage.name) {
      case 'stage.cri':
        return { type: 'cri' };
      case 'stage.json':
        return { type: 'json', expressions: map(a.expressions) };
      case 'stage.template':
        return { type: 'template', source: str(a.source)!, template: str(a.template)! };
      case 'stage.labels':
        return {
          type: 'labels',
          values: Object.fromEntries(Object.entries(map(a.values)).map(([k, v]) => [k, v || k])),
        };
      case 'stage.structured_metadata':
        return {
          type: 'structured_metadata',
          values: Object.fromEntries(Object.entries(map(a.values)).map(([k, v]) => [k, v || k])),
        };
      case 'stage.label_drop':
        return { type: 'labeldrop', names: strings(a.values) };
      default:
        throw new Error(`alloy: stage ${stage.name} is not one this pipeline knows`);
    }
  });
  const rules = relabel.blocks
    .filter((b) => b.name === 'rule')
    .map((rule) => {
      const a = rule.attributes;
      return Object.fromEntries(
        Object.entries({
          source_labels: strings(a.source_labels),
          regex: str(a.regex),
          action: str(a.action),
          target_label: str(a.target_label),
          replacement: str(a.replacement),
          separator: str(a.separator),
        }).filter(([, v]) => v !== undefined),
      ) as unknown as RelabelRule;
    });
  return { relabel: rules, stages };
}

/**
 * The value map of a template stage written as `{{ if eq .Value "a" }}x{{ else if ... }}{{ else
 * }}{{ .Value }}{{ end }}` (the only shape used here); throws for any other template.
 */
export function templateMapping(template: string): Map<string, string> {
  const shape =
    /^\{\{ if (eq \.Value "[^"]*" \}\}[^{]*\{\{ else if )*eq \.Value "[^"]*" \}\}[^{]*\{\{ else \}\}\{\{ \.Value \}\}\{\{ end \}\}$/;
  if (!shape.test(template)) throw new Error(`template stage not of the supported shape: ${template}`);
  return new Map([...template.matchAll(/eq \.Value "([^"]*)" \}\}([^{]*)/g)].map((m) => [m[1]!, m[2]!]));
}

/** Prometheus-style relabelling of a discovered target; undefined when it is dropped. */
export function relabel(
  rules: RelabelRule[],
  meta: Record<string, string>,
): Record<string, string> | undefined {
  const labels = { ...meta };
  for (const rule of rules) {
    const value = rule.source_labels.map((l) => labels[l] ?? '').join(rule.separator ?? ';');
    const match = new RegExp(`^(?:${rule.regex ?? '(.*)'})$`).exec(value);
    const action = rule.action ?? 'replace';
    if (action === 'keep' && !match) return undefined;
    if (action === 'drop' && match) return undefined;
    if (action === 'replace' && match && rule.target_label) {
      const replaced = (rule.replacement ?? '$1').replace(/\$(\d+)/g, (_, n) => match[Number(n)] ?? '');
      if (replaced === '') delete labels[rule.target_label];
      else labels[rule.target_label] = replaced;
    }
  }
  // Labels starting with __ are dropped after relabelling (except __path__, which the tailer reads).
  return Object.fromEntries(Object.entries(labels).filter(([k]) => !k.startsWith('__') || k === '__path__'));
}

export interface Entry {
  labels: Record<string, string>;
  structuredMetadata: Record<string, string>;
  line: string;
}

const asText = (value: unknown) =>
  value === undefined || value === null
    ? undefined
    : typeof value === 'string'
      ? value
      : JSON.stringify(value);

/** What Loki receives for one line read from a target with `targetLabels`. */
export function applyStages(stages: Stage[], targetLabels: Record<string, string>, raw: string): Entry {
  const labels: Record<string, string> = { ...targetLabels, filename: targetLabels.__path__ ?? '' };
  delete labels.__path__;
  const metadata: Record<string, string> = {};
  const extracted: Record<string, string> = {};
  let line = raw;
  for (const stage of stages) {
    switch (stage.type) {
      case 'cri': {
        const m = /^(\S+) (stdout|stderr) (\S+) (.*)$/s.exec(line);
        if (m) {
          labels.stream = m[2]!;
          line = m[4]!;
        }
        break;
      }
      case 'json': {
        let parsed: Record<string, unknown> | undefined;
        try {
          parsed = JSON.parse(line) as Record<string, unknown>;
        } catch {
          parsed = undefined; // Promtail and Alloy log the failure and pass the line on unchanged.
        }
        for (const [name, path] of Object.entries(stage.expressions)) {
          if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(path))
            throw new Error(`json expression ${path} is not a field name`);
          const value = asText(parsed?.[path]);
          if (value !== undefined) extracted[name] = value;
        }
        break;
      }
      case 'template': {
        const value = extracted[stage.source];
        if (value !== undefined)
          extracted[stage.source] = templateMapping(stage.template).get(value) ?? value;
        break;
      }
      case 'labels':
        for (const [label, source] of Object.entries(stage.values))
          if (extracted[source] !== undefined) labels[label] = extracted[source]!;
        break;
      case 'structured_metadata':
        for (const [key, source] of Object.entries(stage.values))
          if (extracted[source] !== undefined) metadata[key] = extracted[source]!;
        break;
      case 'labeldrop':
        for (const name of stage.names) delete labels[name];
        break;
    }
  }
  return { labels, structuredMetadata: metadata, line };
}
