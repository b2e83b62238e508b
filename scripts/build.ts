/**
 * `npm run build [-- <service>...]`: compiles every service (the router and each subgraph of
 * supergraph.yaml) into one self-contained ES module, `dist/<service>/main.mjs` (+ source map), with
 * esbuild. Production runs these (`node --enable-source-maps dist/<service>/main.mjs`; the images and the
 * local stack do), never TypeScript transpiled at start.
 *
 * Work done here instead of at every start:
 * - TypeScript is compiled and every module (ours and node_modules) bundled into one file, so start-up
 *   reads one file instead of resolving and loading thousands;
 * - each subgraph's SDL is parsed into its DocumentNode: `loadTypeDefs(new URL('../x.graphql',
 *   import.meta.url))` becomes the parsed document as a literal (see `inlineTypeDefs`).
 * Packages that load files next to their own code at run time would break when bundled; none of ours
 * do (the build fails on an unresolvable import, and the stack's e2e specs run these bundles).
 */
import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';
import { parse } from 'graphql';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const DIST = join(ROOT, 'dist');

/** The services this repository builds: the router and every subgraph folder with a `src/main.ts`. */
export async function services(): Promise<{ name: string; entry: string }[]> {
  const subgraphs = (await readdir(join(ROOT, 'subgraphs'))).sort();
  return [
    { name: 'router', entry: join(ROOT, 'router', 'src', 'main.ts') },
    ...subgraphs.map((name) => ({ name, entry: join(ROOT, 'subgraphs', name, 'src', 'main.ts') })),
  ];
}

/** One-shot jobs built like the services on request only (`npm run build -- seed`): the compose seed. */
export const JOBS: { name: string; entry: string }[] = [
  { name: 'seed', entry: join(ROOT, 'scripts', 'seed-main.ts') },
];

const TYPE_DEFS_CALL = /loadTypeDefs\(\s*new URL\(\s*'([^']+\.graphql)'\s*,\s*import\.meta\.url\s*\)\s*\)/g;

/**
 * Replaces each `loadTypeDefs(new URL('<file>.graphql', import.meta.url))` in `source` (a module at
 * `path`) with the SDL file's parsed DocumentNode (without locations), as a JSON literal. Throws when
 * an SDL file does not parse, naming it.
 */
export async function inlineTypeDefs(
  source: string,
  path: string,
  onRead: (sdlPath: string) => void = () => undefined,
): Promise<string> {
  const calls = [...source.matchAll(TYPE_DEFS_CALL)];
  let out = source;
  for (const [call, file] of calls) {
    const sdlPath = resolve(dirname(path), file!);
    onRead(sdlPath);
    const sdl = await readFile(sdlPath, 'utf8');
    let document;
    try {
      document = parse(sdl, { noLocation: true });
    } catch (error) {
      throw new Error(`${relative(ROOT, sdlPath)}: ${(error as Error).message}`, { cause: error });
    }
    out = out.replace(call, `(${JSON.stringify(document)})`);
  }
  return out;
}

/** esbuild plugin: SDL files parsed at build time (see {@link inlineTypeDefs}); `read` maps module -> SDL files. */
const typeDefsAtBuildTime = (read: Map<string, string[]>): Plugin => ({
  name: 'type-defs-at-build-time',
  setup(plugin) {
    plugin.onLoad({ filter: /\/subgraphs\/[^/]+\/src\/.*\.ts$/ }, async (args) => {
      const source = await readFile(args.path, 'utf8');
      if (!source.includes('loadTypeDefs(')) return undefined;
      const files: string[] = [];
      const contents = await inlineTypeDefs(source, args.path, (sdl) => files.push(sdl));
      read.set(relative(ROOT, args.path), files);
      return { contents, loader: 'ts', watchFiles: files };
    });
  },
});

/**
 * esbuild plugin: one `@opentelemetry/api` per bundle. The package ships CommonJS and ES module builds;
 * bundled as is, `require` callers (@apollo/gateway's own spans) and `import` callers (the kit) would get
 * two module instances, and a tracer the gateway looked up before tracing started would stay bound to the
 * instance whose provider never gets the SDK. Every importer gets the CommonJS build instead.
 */
const oneOpenTelemetryApi = (): Plugin => ({
  name: 'one-opentelemetry-api',
  setup(plugin) {
    const path = createRequire(join(ROOT, 'package.json')).resolve('@opentelemetry/api');
    plugin.onResolve({ filter: /^@opentelemetry\/api$/ }, () => ({ path }));
  },
});

/** Builds `names` (default: every service) into `dist/`; resolves the files written. */
export async function buildServices(names?: string[]): Promise<string[]> {
  const all = [...(await services()), ...JOBS];
  const unknown = (names ?? []).filter((n) => !all.some((s) => s.name === n));
  if (unknown.length) throw new Error(`unknown service(s): ${unknown.join(', ')}`);
  const chosen = names?.length ? all.filter((s) => names.includes(s.name)) : await services();
  for (const service of chosen) await rm(join(DIST, service.name), { recursive: true, force: true });
  const sdlRead = new Map<string, string[]>();
  const result = await build({
    entryPoints: Object.fromEntries(chosen.map((s) => [`${s.name}/main`, s.entry])),
    outdir: DIST,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node24',
    sourcemap: 'linked',
    // Bundled CommonJS packages call require(); an ES module has none of its own.
    banner: {
      js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
    },
    // Optional native accelerators some packages try to load; absent, they fall back to JavaScript.
    external: ['bufferutil', 'utf-8-validate', 'pg-native'],
    plugins: [typeDefsAtBuildTime(sdlRead), oneOpenTelemetryApi()],
    metafile: true,
    legalComments: 'linked',
    logLevel: 'warning',
  });
  // Per service, the repository files its bundle was made of: `assertBuilt` tells a stale bundle by them.
  for (const [file, output] of Object.entries(result.metafile.outputs)) {
    if (!output.entryPoint) continue;
    const inputs = Object.keys(output.inputs)
      .map((input) => relative(ROOT, resolve(ROOT, input)))
      .filter((input) => !input.startsWith('node_modules/') && !input.startsWith('..'))
      .flatMap((input) => [input, ...(sdlRead.get(input) ?? []).map((sdl) => relative(ROOT, sdl))]);
    await writeFile(
      join(dirname(resolve(ROOT, file)), 'inputs.json'),
      JSON.stringify(inputs.sort(), null, 1),
    );
  }
  return Object.keys(result.metafile.outputs).map((file) => relative(ROOT, resolve(ROOT, file)));
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const started = performance.now();
  const written = await buildServices(process.argv.slice(2));
  const bundles = written.filter((f) => f.endsWith('.mjs'));
  console.log(
    `built ${bundles.length} service(s) in ${Math.round(performance.now() - started)} ms: ${bundles.join(', ')}`,
  );
}
