/**
 * The environments Argo CD deploys (argocd/environments/<name>/): `environment.yaml`, the ApplicationSet
 * generator's parameters (namespace, server, chartRevision), and `values.yaml`, the environment's Helm
 * values. cd.yml changes them only through {@link bumpEnvironment}, which edits the YAML in place
 * (comments and layout stay) and writes image tags and revisions as quoted strings (single quotes, as Prettier writes YAML here), so a commit sha of
 * digits never turns into a number.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { isMap, parseDocument, Scalar, type Document } from 'yaml';

export const ARGOCD_DIR = resolve(import.meta.dirname, '..');
export const ENVIRONMENTS_DIR = join(ARGOCD_DIR, 'environments');

/** The ApplicationSet generator's parameters of one environment. */
export interface EnvironmentParameters {
  namespace: string;
  server: string;
  chartRevision: string;
}

/** One folder of argocd/environments/. */
export interface Environment {
  name: string;
  dir: string;
  parameters: EnvironmentParameters;
  /** The path of its Helm values file. */
  valuesFile: string;
}

/** Every environment folder, sorted by name; throws naming a folder whose environment.yaml lacks a key. */
export function readEnvironments(dir = ENVIRONMENTS_DIR): Environment[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort()
    .map((name) => {
      const file = join(dir, name, 'environment.yaml');
      const parameters = parseDocument(readFileSync(file, 'utf8')).toJS() as Partial<EnvironmentParameters>;
      for (const key of ['namespace', 'server', 'chartRevision'] as const) {
        if (typeof parameters[key] !== 'string' || parameters[key] === '')
          throw new Error(`${file}: ${key} must be a non-empty string`);
      }
      return {
        name,
        dir: join(dir, name),
        parameters: parameters as EnvironmentParameters,
        valuesFile: join(dir, name, 'values.yaml'),
      };
    });
}

/** What cd.yml sets after pushing the images. */
export interface Bump {
  /** The images' registry and owner, e.g. `ghcr.io/shop` (global.image.registry). */
  registry: string;
  /** The images' tag: the commit sha on main, the tag name on a release (global.image.tag). */
  tag: string;
  /** The chart revision to deploy (environment.yaml chartRevision), for environments following tags. */
  chartRevision?: string;
}

const IMAGE_TAG = /^[\w][\w.-]{0,127}$/;
const REGISTRY = /^[a-z0-9.-]+(:\d+)?(\/[a-z0-9._-]+)+$/;

function setString(doc: Document, path: string[], value: string): boolean {
  const current = doc.getIn(path, true);
  if (current instanceof Scalar && current.value === value) return false;
  // A missing parent is created by setIn; one that is there must be a mapping.
  const parent = path.length > 1 ? doc.getIn(path.slice(0, -1), true) : undefined;
  if (parent !== undefined && !isMap(parent))
    throw new Error(`${path.slice(0, -1).join('.')} is not a mapping`);
  const scalar = new Scalar(value);
  scalar.type = Scalar.QUOTE_SINGLE;
  if (current instanceof Scalar) scalar.comment = current.comment;
  doc.setIn(path, scalar);
  return true;
}

/**
 * The new texts of an environment's values.yaml and environment.yaml with `bump` applied, and whether
 * each changed. Refuses an image tag Docker would refuse, a registry that is not `host[/path]` in lower
 * case, and a document that does not parse.
 */
export function applyBump(
  texts: { values: string; environment: string },
  bump: Bump,
): { values: string; environment: string; changed: string[] } {
  if (!IMAGE_TAG.test(bump.tag)) throw new Error(`"${bump.tag}" is not a valid image tag`);
  if (!REGISTRY.test(bump.registry))
    throw new Error(`"${bump.registry}" is not a registry path like ghcr.io/owner`);
  const parse = (text: string, name: string) => {
    const doc = parseDocument(text);
    if (doc.errors.length > 0) throw new Error(`${name}: ${doc.errors.map((e) => e.message).join('; ')}`);
    return doc;
  };
  const values = parse(texts.values, 'values.yaml');
  const environment = parse(texts.environment, 'environment.yaml');
  const changed = [
    ...(setString(values, ['global', 'image', 'registry'], bump.registry) ? ['global.image.registry'] : []),
    ...(setString(values, ['global', 'image', 'tag'], bump.tag) ? ['global.image.tag'] : []),
    ...(bump.chartRevision !== undefined && setString(environment, ['chartRevision'], bump.chartRevision)
      ? ['chartRevision']
      : []),
  ];
  return { values: values.toString(), environment: environment.toString(), changed };
}

/** Applies `bump` to the environment folder `dir` on disk; returns the keys that changed. */
export function bumpEnvironment(dir: string, bump: Bump): string[] {
  const files = { values: join(dir, 'values.yaml'), environment: join(dir, 'environment.yaml') };
  const texts = {
    values: readFileSync(files.values, 'utf8'),
    environment: readFileSync(files.environment, 'utf8'),
  };
  const next = applyBump(texts, bump);
  if (next.values !== texts.values) writeFileSync(files.values, next.values);
  if (next.environment !== texts.environment) writeFileSync(files.environment, next.environment);
  return next.changed;
}
