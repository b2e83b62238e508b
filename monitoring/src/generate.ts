/**
 * npm run monitoring:generate: writes the rule files, PrometheusRules, dashboards and their
 * ConfigMaps under monitoring/ from monitoring/src/, and removes generated files it no longer makes.
 */
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { generatedFiles, MONITORING_DIR, OUTPUT_DIRS } from './outputs.js';

const files = await generatedFiles();
for (const [path, content] of files) {
  await mkdir(dirname(join(MONITORING_DIR, path)), { recursive: true });
  await writeFile(join(MONITORING_DIR, path), content);
}
for (const dir of OUTPUT_DIRS) {
  for (const name of await readdir(join(MONITORING_DIR, dir))) {
    const path = `${dir}/${name}`;
    if (!files.has(path) && !name.endsWith('.test.yaml')) await rm(join(MONITORING_DIR, path));
  }
}
console.log(
  `monitoring: wrote ${files.size} files under ${OUTPUT_DIRS.map((d) => `monitoring/${d}/`).join(', ')}`,
);
