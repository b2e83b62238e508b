import { describe, expect, it } from '@jest/globals';
import { detectDrift, formatDrift } from './drift.js';

const FRESH = '# header\n\nschema {\n  query: Query\n}\n\ntype Query {\n  a: String\n}\n';

describe('detectDrift', () => {
  it('reports an identical file as up to date', () => {
    expect(detectDrift(FRESH, FRESH)).toEqual({ status: 'up-to-date' });
  });

  it('ignores CRLF line endings and trailing blank lines', () => {
    expect(detectDrift(FRESH.replace(/\n/g, '\r\n') + '\r\n\r\n', FRESH)).toEqual({ status: 'up-to-date' });
  });

  it('reports a missing file', () => {
    expect(detectDrift(undefined, FRESH)).toEqual({ status: 'missing' });
  });

  it('reports the first differing line with both sides', () => {
    const edited = FRESH.replace('a: String', 'a: Int');

    expect(detectDrift(edited, FRESH)).toEqual({
      status: 'differs',
      line: 8,
      committed: '  a: Int',
      fresh: '  a: String',
    });
  });

  it('reports a committed file that stops early', () => {
    const fresh = FRESH + '\ntype B {\n  b: String\n}\n';

    expect(detectDrift(FRESH, fresh)).toEqual({
      status: 'differs',
      line: 10,
      committed: undefined,
      fresh: '',
    });
  });
});

describe('formatDrift', () => {
  it('says nothing for an up-to-date file', () => {
    expect(formatDrift({ status: 'up-to-date' }, 'schema/supergraph.graphql')).toBeUndefined();
  });

  it('tells the reader to run npm run compose', () => {
    const drift = detectDrift(FRESH.replace('a: String', 'a: Int'), FRESH);

    const text = formatDrift(drift, 'schema/supergraph.graphql');

    expect(text).toContain(
      'schema/supergraph.graphql differs from a fresh composition (first difference at line 8)',
    );
    expect(text).toContain('committed:   a: Int');
    expect(text).toContain('Run npm run compose');
    expect(formatDrift({ status: 'missing' }, 'schema/supergraph.graphql')).toContain('run npm run compose');
  });
});
