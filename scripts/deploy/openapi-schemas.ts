/**
 * Strict JSON schemas for kubeconform, generated from a running kube-apiserver's OpenAPI v3
 * (`/openapi/v3/<group-version>`): one file per kind and version, `<dir>/<group>/<kind>_<version>.json`
 * (`<group>` is `v1` for the core group, the layout kubeconform's `{{.Group}}/{{.ResourceKind}}_
 * {{.ResourceAPIVersion}}.json` template expects). Each file is the kind's schema with every schema it
 * references under `definitions`, converted as kubeconform needs it:
 * - `#/components/schemas/X` references become `#/definitions/X`;
 * - int-or-string and Quantity accept a string or a number, as the API server does;
 * - `nullable` becomes a `null` type;
 * - strict: every object schema with properties gets `additionalProperties: false`, except where
 *   Kubernetes preserves unknown fields, so a misspelt or unknown field is an error.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ControlPlane } from '../k8s/control-plane.js';

type Schema = Record<string, unknown>;

interface OpenApiDocument {
  components?: { schemas?: Record<string, Schema> };
}

const QUANTITY = 'io.k8s.apimachinery.pkg.api.resource.Quantity';

/** The converted copy of one schema (recursively). */
function convert(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(convert);
  if (typeof schema !== 'object' || schema === null) return schema;
  const source = schema as Schema;
  if (source['x-kubernetes-int-or-string'] === true || source.format === 'int-or-string') {
    return { description: source.description, anyOf: [{ type: 'string' }, { type: 'integer' }] };
  }
  const out: Schema = {};
  for (const [key, value] of Object.entries(source)) {
    if (key === '$ref' && typeof value === 'string')
      out.$ref = value.replace('#/components/schemas/', '#/definitions/');
    else if (key === 'properties' || key === 'patternProperties' || key === 'definitions') {
      out[key] = Object.fromEntries(Object.entries(value as Schema).map(([k, v]) => [k, convert(v)]));
    } else out[key] = convert(value);
  }
  if (out.nullable === true) {
    delete out.nullable;
    if (typeof out.type === 'string') out.type = [out.type, 'null'];
  }
  const preserves = source['x-kubernetes-preserve-unknown-fields'] === true;
  if (out.properties && out.additionalProperties === undefined && !preserves)
    out.additionalProperties = false;
  return out;
}

/** The names of every component schema `schema` reaches through $refs. */
function reachable(root: string, components: Record<string, Schema>): Set<string> {
  const seen = new Set<string>();
  const visit = (value: unknown) => {
    if (Array.isArray(value)) value.forEach(visit);
    else if (typeof value === 'object' && value !== null) {
      for (const [key, v] of Object.entries(value)) {
        if (key === '$ref' && typeof v === 'string') {
          const name = v.replace('#/components/schemas/', '');
          if (!seen.has(name) && components[name]) {
            seen.add(name);
            visit(components[name]);
          }
        } else visit(v);
      }
    }
  };
  seen.add(root);
  visit(components[root]);
  return seen;
}

/**
 * Writes a schema file for every kind the API server serves (built-in and custom) into `dir`; returns how
 * many it wrote.
 */
export async function writeOpenApiSchemas(controlPlane: ControlPlane, dir: string): Promise<number> {
  const index = (await controlPlane.api('GET', '/openapi/v3')).json<{
    paths: Record<string, { serverRelativeURL: string }>;
  }>();
  let written = 0;
  for (const [path, { serverRelativeURL }] of Object.entries(index.paths)) {
    // Group-version documents only: api/v1 and apis/<group>/<version>.
    if (!/^(api\/v1|apis\/[^/]+\/[^/]+)$/.test(path)) continue;
    // Without the hash: a CRD installed since the index was read changes it (the hashed URL then redirects).
    const response = await controlPlane.api('GET', serverRelativeURL.replace(/\?.*$/, ''));
    if (response.status !== 200)
      throw new Error(`GET ${serverRelativeURL}: HTTP ${response.status} ${response.body}`);
    const components = response.json<OpenApiDocument>().components?.schemas ?? {};
    components[QUANTITY] = {
      description: 'A Kubernetes quantity (100m, 1, 512Mi): a string or a number.',
      anyOf: [{ type: 'string' }, { type: 'number' }],
    };
    for (const [name, schema] of Object.entries(components)) {
      const kinds = schema['x-kubernetes-group-version-kind'] as
        { group: string; version: string; kind: string }[] | undefined;
      // The document of a group-version lists its own kinds; others (meta.v1 types) come along as references.
      const own = kinds?.filter(
        (k) => (k.group ? `apis/${k.group}/${k.version}` : `api/${k.version}`) === path,
      );
      if (!own?.length) continue;
      const definitions = Object.fromEntries(
        [...reachable(name, components)].map((n) => [n, convert(components[n])]),
      );
      for (const { group, version, kind } of own) {
        const folder = join(dir, group || version);
        mkdirSync(folder, { recursive: true });
        const file = join(folder, `${kind.toLowerCase()}_${version}.json`);
        writeFileSync(file, JSON.stringify({ $ref: `#/definitions/${name}`, definitions }));
        written += 1;
      }
    }
  }
  return written;
}
