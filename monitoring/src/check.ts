/**
 * npm run check:monitoring: fails when the committed output of `npm run monitoring:generate` is
 * stale, when promtool's `check rules` or `test rules` fails, when a rule file has no test file or an
 * alert no unit test or runbook section, or when a rule or dashboard names a metric the services do
 * not serve (monitoring/src/served-metrics.ts, itself proven against a running stack by
 * monitoring/test/metric-names.e2e.spec.ts). promtool comes with Debian's `prometheus` package,
 * installed by scripts/prometheus.sh when missing.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'yaml';
import { unknownNames } from './metric-usage.js';
import { generatedFiles, MONITORING_DIR, OUTPUT_DIRS, serviceNames } from './outputs.js';
import { isAlert, ruleFiles } from './rules.js';

const problems: string[] = [];
const started = performance.now();

// 1. The committed output is what the sources generate.
const files = await generatedFiles();
for (const [path, content] of files) {
  const committed = await readFile(join(MONITORING_DIR, path), 'utf8').catch(() => undefined);
  if (committed !== content)
    problems.push(`monitoring/${path} is ${committed === undefined ? 'missing' : 'stale'}`);
}
for (const dir of OUTPUT_DIRS)
  for (const name of await readdir(join(MONITORING_DIR, dir)).catch(() => []))
    if (!files.has(`${dir}/${name}`) && !name.endsWith('.test.yaml'))
      problems.push(`monitoring/${dir}/${name} is not generated any more`);
if (problems.length) problems.push('run `npm run monitoring:generate` and commit the result');

// 2. Every rule and dashboard query names only served, recorded or allowed cluster series.
const services = await serviceNames();
for (const { where, name } of unknownNames(services))
  problems.push(`${where} names ${name}, which no service serves (monitoring/src/served-metrics.ts)`);

// 3. promtool: the rule files parse and their unit tests pass; every rule file has tests, every
// alert is tested and has a runbook.
execFileSync('bash', [join(MONITORING_DIR, '..', 'scripts', 'prometheus.sh'), 'install'], {
  stdio: 'inherit',
});
const rulesDir = join(MONITORING_DIR, 'rules');
const ruleFileNames = (await readdir(rulesDir)).filter((f) => f.endsWith('.rules.yaml')).sort();
const testFileNames = (await readdir(rulesDir)).filter((f) => f.endsWith('.test.yaml')).sort();
const promtool = (...args: string[]) => {
  const run = spawnSync('promtool', args, { cwd: rulesDir, encoding: 'utf8' });
  if (run.status !== 0) problems.push(`promtool ${args.join(' ')} failed:\n${run.stdout}${run.stderr}`);
};
promtool('check', 'rules', ...ruleFileNames);
promtool('test', 'rules', ...testFileNames);
// Per alert: whether some test expects it to fire, and some expects it not to.
const tested = new Map<string, { fires: boolean; quiet: boolean }>();
for (const name of testFileNames) {
  const suite = parse(await readFile(join(rulesDir, name), 'utf8')) as {
    tests?: { alert_rule_test?: { alertname: string; exp_alerts?: unknown[] }[] }[];
  };
  for (const test of suite.tests ?? [])
    for (const { alertname, exp_alerts } of test.alert_rule_test ?? []) {
      const seen = tested.get(alertname) ?? { fires: false, quiet: false };
      if (exp_alerts?.length) seen.fires = true;
      else seen.quiet = true;
      tested.set(alertname, seen);
    }
}
const readme = await readFile(join(MONITORING_DIR, 'README.md'), 'utf8');
for (const file of ruleFiles(services)) {
  if (!testFileNames.includes(`${file.name}.rules.test.yaml`))
    problems.push(`monitoring/rules/${file.name}.rules.yaml has no ${file.name}.rules.test.yaml beside it`);
  for (const rule of file.groups.flatMap((g) => g.rules).filter(isAlert)) {
    const seen = tested.get(rule.alert);
    if (!seen?.fires) problems.push(`alert ${rule.alert} has no promtool test where it fires`);
    if (!seen?.quiet) problems.push(`alert ${rule.alert} has no promtool test where it stays quiet`);
    if (!readme.includes(`\n### ${rule.alert}\n`))
      problems.push(`alert ${rule.alert} has no runbook section (### ${rule.alert}) in monitoring/README.md`);
  }
}

if (problems.length) {
  console.error(`check:monitoring failed:\n- ${problems.join('\n- ')}`);
  process.exit(1);
}
console.log(
  `monitoring: ${files.size} generated files up to date, ${ruleFileNames.length} rule files checked and tested, ` +
    `every query names served metrics (${Math.round(performance.now() - started)} ms)`,
);
