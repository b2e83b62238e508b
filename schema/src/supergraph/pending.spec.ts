import { describe, expect, it } from '@jest/globals';
import { OperationTypeNode } from 'graphql';
import type { OperationResult, OperationsReport } from './operations.js';
import { formatPendingLine, judgeContract, parsePendingList, summarizeVerdict } from './pending.js';

const ok = (name: string): OperationResult => ({ name, operation: OperationTypeNode.QUERY, errors: [] });
const failing = (name: string): OperationResult => ({
  name,
  operation: OperationTypeNode.QUERY,
  errors: [`Cannot query field "${name.toLowerCase()}" on type "Query".`],
});
const report = (...operations: OperationResult[]): OperationsReport => ({
  parsed: true,
  documentErrors: [],
  operations,
});

describe('parsePendingList', () => {
  it('reads one name per line, skipping comments and blank lines', () => {
    const list = parsePendingList('# header\n\nCart\n  AddToCart  \nProduct # owned by recommendations\r\n');

    expect(list).toEqual({ names: ['Cart', 'AddToCart', 'Product'], problems: [] });
  });

  it('reports duplicates and lines that are not operation names', () => {
    const list = parsePendingList('Cart\nAdd To Cart\nCart\n', 'pending.txt');

    expect(list).toEqual({
      names: ['Cart'],
      problems: [
        'pending.txt:2: "Add To Cart" is not an operation name (one name per line)',
        'pending.txt:3: Cart is listed twice',
      ],
    });
  });
});

describe('judgeContract', () => {
  it('passes when every non-pending operation validates and every pending one still fails', () => {
    const verdict = judgeContract(report(ok('Me'), failing('Cart'), ok('Login')), ['Cart']);

    expect(verdict).toEqual({
      validating: ['Me', 'Login'],
      pending: ['Cart'],
      stillPending: [failing('Cart')],
      failures: [],
    });
    expect(formatPendingLine(verdict.pending)).toBe('pending (1): Cart');
    expect(summarizeVerdict(verdict)).toBe('2 operations validate, 1 pending');
  });

  it('fails on a non-pending operation that does not validate, with its reasons', () => {
    const verdict = judgeContract(report(ok('Me'), failing('Cart')), []);

    expect(verdict.failures).toEqual([
      'query Cart does not validate:\n  - Cannot query field "cart" on type "Query".',
    ]);
  });

  it('fails on a pending operation that validates now, so the list shrinks', () => {
    const verdict = judgeContract(report(ok('Me'), ok('Cart')), ['Cart']);

    expect(verdict.failures).toEqual(['Cart validates now; remove it from pending-operations.txt.']);
    expect(verdict.validating).toEqual(['Me']);
  });

  it('fails on a pending name that is not an operation of the document', () => {
    const verdict = judgeContract(report(ok('Me')), ['Checkout'], {
      operationsFile: 'ops.graphql',
      pendingFile: 'pending.txt',
    });

    expect(verdict.failures).toEqual([
      'pending.txt lists Checkout, which is not an operation in ops.graphql.',
    ]);
  });

  it('does not call pending names unknown when the document does not parse', () => {
    const verdict = judgeContract({ parsed: false, documentErrors: ['Syntax Error: oops'], operations: [] }, [
      'Cart',
    ]);

    expect(verdict.failures).toEqual(['operations.graphql: Syntax Error: oops']);
  });

  it('fails on document-level errors', () => {
    const verdict = judgeContract(
      { parsed: false, documentErrors: ['Syntax Error: oops'], operations: [] },
      [],
    );

    expect(verdict.failures).toEqual(['operations.graphql: Syntax Error: oops']);
    expect(formatPendingLine(verdict.pending)).toBe('pending (0): none');
  });
});
