import { describe, expect, it } from '@jest/globals';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { applyBump, bumpEnvironment, readEnvironments } from './environments.js';

const VALUES = `# Staging values.
global:
  image:
    # -- The registry.
    registry: ghcr.io/shop
    namePrefix: shop-
    # -- The tag cd.yml sets.
    tag: '0.1.0' # trailing
ingress:
  hosts:
    - api.staging.shop.example
`;

const ENVIRONMENT = `# Generator parameters.
namespace: shop-production
server: https://kubernetes.default.svc
# -- The chart revision.
chartRevision: v0.1.0
`;

const texts = { values: VALUES, environment: ENVIRONMENT };

describe('applyBump', () => {
  it('sets the image tag as a quoted string, keeping comments and the rest of the file', () => {
    const next = applyBump(texts, {
      registry: 'ghcr.io/shop',
      tag: '1234567890123456789012345678901234567890',
    });

    expect(next.changed).toEqual(['global.image.tag']);
    expect(next.values).toBe(
      VALUES.replace("tag: '0.1.0' # trailing", "tag: '1234567890123456789012345678901234567890' # trailing"),
    );
    expect(parse(next.values).global.image.tag).toBe('1234567890123456789012345678901234567890');
    expect(next.environment).toBe(ENVIRONMENT);
  });

  it('sets the registry and the chart revision of an environment following tags', () => {
    const next = applyBump(texts, { registry: 'ghcr.io/acme', tag: 'v1.4.0', chartRevision: 'v1.4.0' });

    expect(next.changed).toEqual(['global.image.registry', 'global.image.tag', 'chartRevision']);
    expect(parse(next.values).global.image).toEqual({
      registry: 'ghcr.io/acme',
      namePrefix: 'shop-',
      tag: 'v1.4.0',
    });
    expect(next.environment).toBe(ENVIRONMENT.replace('chartRevision: v0.1.0', "chartRevision: 'v1.4.0'"));
  });

  it('changes nothing when the environment already runs that tag', () => {
    const next = applyBump(texts, { registry: 'ghcr.io/shop', tag: '0.1.0' });

    expect(next).toEqual({ values: VALUES, environment: ENVIRONMENT, changed: [] });
  });

  it('adds global.image.tag to values that lack it', () => {
    const next = applyBump(
      { values: 'router:\n  replicas: 2\n', environment: ENVIRONMENT },
      { registry: 'ghcr.io/shop', tag: 'abc' },
    );

    expect(parse(next.values)).toEqual({
      router: { replicas: 2 },
      global: { image: { registry: 'ghcr.io/shop', tag: 'abc' } },
    });
  });

  it('refuses to replace a global.image that is not a mapping', () => {
    expect(() =>
      applyBump(
        { ...texts, values: 'global:\n  image: ghcr.io/shop/app\n' },
        { registry: 'ghcr.io/shop', tag: 'v1' },
      ),
    ).toThrow('global.image is not a mapping');
  });

  it('refuses a tag Docker would refuse, a registry in upper case and values that do not parse', () => {
    expect(() => applyBump(texts, { registry: 'ghcr.io/shop', tag: 'refs/tags/v1' })).toThrow(
      '"refs/tags/v1" is not a valid image tag',
    );
    expect(() => applyBump(texts, { registry: 'ghcr.io/Shop', tag: 'v1' })).toThrow(
      '"ghcr.io/Shop" is not a registry path',
    );
    expect(() =>
      applyBump({ ...texts, values: 'global: [\n' }, { registry: 'ghcr.io/shop', tag: 'v1' }),
    ).toThrow(/^values\.yaml: /);
  });
});

describe('bumpEnvironment and readEnvironments', () => {
  it('rewrites the files of an environment folder and reads the parameters back', () => {
    const dir = mkdtempSync(join(tmpdir(), 'argocd-environments-'));
    try {
      const production = join(dir, 'production');
      writeFileSync(join(dir, 'README'), 'not an environment\n');
      mkdirSync(production);
      writeFileSync(join(production, 'values.yaml'), VALUES);
      writeFileSync(join(production, 'environment.yaml'), ENVIRONMENT);

      expect(
        bumpEnvironment(production, { registry: 'ghcr.io/shop', tag: 'v2.0.0', chartRevision: 'v2.0.0' }),
      ).toEqual(['global.image.tag', 'chartRevision']);
      expect(parse(readFileSync(join(production, 'values.yaml'), 'utf8')).global.image.tag).toBe('v2.0.0');
      expect(readEnvironments(dir)).toEqual([
        {
          name: 'production',
          dir: production,
          parameters: {
            namespace: 'shop-production',
            server: 'https://kubernetes.default.svc',
            chartRevision: 'v2.0.0',
          },
          valuesFile: join(production, 'values.yaml'),
        },
      ]);

      writeFileSync(join(production, 'environment.yaml'), 'namespace: shop-production\n');
      expect(() => readEnvironments(dir)).toThrow(/environment\.yaml: server must be a non-empty string/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
