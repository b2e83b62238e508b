// Prints the totals of a jest --json result file and the ten slowest spec files and tests, so slow
// and timing-sensitive specs show in every run's log. Exits 1 when no test ran.
// Usage: node scripts/test-summary.mjs <jest-results.json>
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';

const results = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const seconds = (ms) => `${(ms / 1000).toFixed(1).padStart(6)} s`;
const files = results.testResults.map((file) => ({
  name: relative(process.cwd(), file.name),
  ms: file.endTime - file.startTime,
  status: file.status,
  tests: file.assertionResults,
}));
const tests = files.flatMap((file) =>
  file.tests.map((test) => ({
    name: `${file.name} > ${test.fullName}`,
    ms: test.duration ?? 0,
    status: test.status,
  })),
);
const slowest = (rows) =>
  [...rows]
    .sort((a, b) => b.ms - a.ms)
    .slice(0, 10)
    .map((row) => `  ${seconds(row.ms)}  ${row.status === 'passed' ? '' : `[${row.status}] `}${row.name}`)
    .join('\n');

if (files.length > 0) {
  console.log(`\nslowest spec files:\n${slowest(files)}`);
  console.log(`\nslowest tests:\n${slowest(tests)}\n`);
}
console.log(
  `${results.numPassedTests} passed, ${results.numFailedTests} failed, ` +
    `${results.numPendingTests + results.numTodoTests} skipped`,
);
if (results.numTotalTests === 0) {
  console.error('no test ran');
  process.exit(1);
}
