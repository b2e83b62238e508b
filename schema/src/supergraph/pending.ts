import type { OperationResult, OperationsReport } from './operations.js';

/** The operation names of a pending file, and what is wrong with the file itself. */
export interface PendingList {
  names: string[];
  /** Duplicate or malformed lines, one sentence each. */
  problems: string[];
}

/** The outcome of checking the client contract's operations against the API schema. */
export interface ContractVerdict {
  /** Operations that validate and are not pending. */
  validating: string[];
  /** The pending names, as listed. */
  pending: string[];
  /** Pending operations that still fail, as expected, with their reasons. */
  stillPending: OperationResult[];
  /** Everything that fails the check, one readable paragraph each; empty when the contract holds. */
  failures: string[];
}

/** Names shown in messages. */
export interface ContractFiles {
  operationsFile: string;
  pendingFile: string;
}

const DEFAULT_FILES: ContractFiles = {
  operationsFile: 'operations.graphql',
  pendingFile: 'pending-operations.txt',
};

const OPERATION_NAME = /^[_A-Za-z][_0-9A-Za-z]*$/;

/**
 * Parses a pending-operations file: one operation name per line; `#` starts a comment (whole line or
 * trailing); blank lines are ignored. Duplicates and lines that are not a GraphQL name are reported in
 * `problems` (the names list keeps each valid name once).
 */
export function parsePendingList(text: string, fileName = DEFAULT_FILES.pendingFile): PendingList {
  const names: string[] = [];
  const problems: string[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const entry = raw.replace(/#.*/, '').trim();
    if (entry === '') return;
    if (!OPERATION_NAME.test(entry)) {
      problems.push(`${fileName}:${index + 1}: "${entry}" is not an operation name (one name per line)`);
    } else if (names.includes(entry)) {
      problems.push(`${fileName}:${index + 1}: ${entry} is listed twice`);
    } else {
      names.push(entry);
    }
  });
  return { names, problems };
}

/**
 * Judges an operations report against the pending list. It fails (a message in `failures`) on:
 * a document-level error; a non-pending operation that does not validate; a pending operation that
 * validates (it must leave the list, so the list only shrinks); a pending name that is no operation of the
 * document (not checked when the document does not parse, as its operations are then unknown). A pending operation that does not validate is expected and only lands in `stillPending`.
 */
export function judgeContract(
  report: OperationsReport,
  pending: readonly string[],
  files: ContractFiles = DEFAULT_FILES,
): ContractVerdict {
  const isPending = new Set(pending);
  const known = new Set(report.operations.map((op) => op.name));
  const passes = (op: OperationResult): boolean => op.errors.length === 0;
  const failures = [
    ...report.documentErrors.map((error) => `${files.operationsFile}: ${error}`),
    ...report.operations.filter((op) => !isPending.has(op.name) && !passes(op)).map(describeFailure),
    ...report.operations
      .filter((op) => isPending.has(op.name) && passes(op))
      .map((op) => `${op.name} validates now; remove it from ${files.pendingFile}.`),
    ...pending
      .filter((name) => report.parsed && !known.has(name))
      .map(
        (name) => `${files.pendingFile} lists ${name}, which is not an operation in ${files.operationsFile}.`,
      ),
  ];
  return {
    validating: report.operations.filter((op) => !isPending.has(op.name) && passes(op)).map((op) => op.name),
    pending: [...pending],
    stillPending: report.operations.filter((op) => isPending.has(op.name) && !passes(op)),
    failures,
  };
}

function describeFailure(op: OperationResult): string {
  return `${op.operation} ${op.name} does not validate:\n${op.errors.map((e) => `  - ${e}`).join('\n')}`;
}

/** `pending (N): A, B, ...` (or `pending (0): none`), printed on every run so the list stays visible. */
export function formatPendingLine(pending: readonly string[]): string {
  return `pending (${pending.length}): ${pending.length > 0 ? pending.join(', ') : 'none'}`;
}

/** The closing line: `N operations validate, M pending`. */
export function summarizeVerdict(verdict: ContractVerdict): string {
  return `${verdict.validating.length} operations validate, ${verdict.pending.length} pending`;
}
