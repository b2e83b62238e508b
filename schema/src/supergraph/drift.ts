/** How the committed supergraph file compares with a fresh composition. */
export type DriftReport =
  | { status: 'up-to-date' }
  | { status: 'missing' }
  | { status: 'differs'; line: number; committed: string | undefined; fresh: string | undefined };

const normalise = (text: string): string[] => text.replace(/\r\n?/g, '\n').trimEnd().split('\n');

/**
 * Compares the committed supergraph file (`undefined` when there is none) with freshly composed output,
 * ignoring line-ending style and trailing blank lines only. For a difference it reports the first line
 * (1-based) that differs and that line on each side (`undefined` past the end of a side).
 */
export function detectDrift(committed: string | undefined, fresh: string): DriftReport {
  if (committed === undefined) return { status: 'missing' };
  const before = normalise(committed);
  const after = normalise(fresh);
  const length = Math.max(before.length, after.length);
  for (let index = 0; index < length; index++) {
    if (before[index] !== after[index]) {
      return { status: 'differs', line: index + 1, committed: before[index], fresh: after[index] };
    }
  }
  return { status: 'up-to-date' };
}

/**
 * One readable paragraph about a drift report for the file `file`, ending with the fix
 * ("run npm run compose"); `undefined` when it is up to date.
 */
export function formatDrift(report: DriftReport, file: string): string | undefined {
  switch (report.status) {
    case 'up-to-date':
      return undefined;
    case 'missing':
      return `${file} does not exist; run npm run compose and commit the result.`;
    case 'differs':
      return [
        `${file} differs from a fresh composition (first difference at line ${report.line}):`,
        `  committed: ${report.committed ?? '(end of file)'}`,
        `  fresh:     ${report.fresh ?? '(end of file)'}`,
        'Run npm run compose and commit the result.',
      ].join('\n');
  }
}
