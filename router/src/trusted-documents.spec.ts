import { describe, expect, it } from '@jest/globals';
import { parseManifest, TrustedDocuments, type ManifestOperation } from './trusted-documents.js';

const ping: ManifestOperation = { id: 'a1', name: 'Ping', type: 'query', body: 'query Ping { ping }' };
const manifest = (operations: unknown) =>
  JSON.stringify({ format: 'apollo-persisted-query-manifest', version: 1, operations });

describe('parseManifest', () => {
  it('reads the operations of an Apollo persisted query manifest', () => {
    expect(parseManifest(manifest([ping]), 'm.json')).toEqual([ping]);
  });

  it('names the file and what is wrong', () => {
    expect(() => parseManifest('{', 'm.json')).toThrow(/^m\.json: not JSON/);
    expect(() => parseManifest(JSON.stringify({ version: 1, operations: [] }), 'm.json')).toThrow(
      'm.json: not a persisted query manifest',
    );
    expect(() =>
      parseManifest(JSON.stringify({ format: 'apollo-persisted-query-manifest', version: 1 }), 'm.json'),
    ).toThrow('m.json: "operations" must be a list');
    expect(() => parseManifest(manifest([ping, { ...ping, id: '' }]), 'm.json')).toThrow(
      'm.json: operation 1 needs a non-empty id, a name, a type and a body',
    );
    expect(() => parseManifest(manifest([{ ...ping, type: 'fragment' }]), 'm.json')).toThrow('operation 0');
  });
});

describe('TrustedDocuments', () => {
  it('serves several lists together; the same operation in two of them counts once', () => {
    const other: ManifestOperation = { id: 'b2', name: 'Who', type: 'query', body: '{ whoami }' };
    const trusted = new TrustedDocuments([
      { source: 'web.json', operations: [ping] },
      { source: 'admin.json', operations: [ping, other] },
    ]);
    expect(trusted.size).toBe(2);
    expect(trusted.check({ query: '{whoami}' })).toEqual({ query: '{whoami}', extensions: undefined });
  });

  it('refuses to load an id listed twice with different bodies', () => {
    expect(
      () =>
        new TrustedDocuments([
          { source: 'web.json', operations: [ping] },
          { source: 'admin.json', operations: [{ ...ping, body: 'query Ping { ping whoami }' }] },
        ]),
    ).toThrow('admin.json: id a1 (Ping) is listed before with another body');
  });

  it('turns an id into its body and keeps the other extensions', () => {
    const trusted = new TrustedDocuments([{ source: 'web.json', operations: [ping] }]);
    expect(
      trusted.check({ extensions: { persistedQuery: { version: 1, sha256Hash: 'a1' }, clientLibrary: 'x' } }),
    ).toEqual({ query: ping.body, extensions: { clientLibrary: 'x' } });
    expect(
      trusted.check({ query: null, extensions: { persistedQuery: { version: 1, sha256Hash: 'a1' } } }),
    ).toEqual({ query: ping.body, extensions: undefined });
  });

  it('leaves a request with neither a document nor an id to the server', () => {
    const trusted = new TrustedDocuments([{ source: 'web.json', operations: [ping] }], true);
    expect(trusted.check({})).toBeUndefined();
    expect(trusted.check({ query: '', extensions: {} })).toBeUndefined();
  });

  it('refuses what is not listed, with the code that says why', () => {
    const trusted = new TrustedDocuments([{ source: 'web.json', operations: [ping] }]);
    const code = (request: { query?: unknown; extensions?: unknown }) => {
      const decision = trusted.check(request);
      return decision && 'refused' in decision ? decision.refused.extensions.code : 'accepted';
    };
    expect(code({ query: 'query Ping { ping }' })).toBe('accepted');
    expect(code({ query: 'query Ping { pong }' })).toBe('QUERY_NOT_IN_SAFELIST');
    expect(code({ query: '"unterminated' })).toBe('QUERY_NOT_IN_SAFELIST');
    expect(code({ query: 42 })).toBe('QUERY_NOT_IN_SAFELIST');
    expect(code({ extensions: { persistedQuery: { version: 1, sha256Hash: 'zz' } } })).toBe(
      'PERSISTED_QUERY_NOT_IN_LIST',
    );
    expect(code({ query: '{ x }', extensions: { persistedQuery: { version: 1, sha256Hash: 'a1' } } })).toBe(
      'PERSISTED_QUERY_NOT_IN_LIST',
    );
    expect(code({ extensions: { persistedQuery: 'a1' } })).toBe('BAD_REQUEST');
    expect(code({ extensions: { persistedQuery: { version: 1 } } })).toBe('BAD_REQUEST');
    const idsOnly = new TrustedDocuments([{ source: 'web.json', operations: [ping] }], true);
    expect(idsOnly.check({ query: ping.body })).toMatchObject({
      refused: { extensions: { code: 'PERSISTED_QUERY_ID_REQUIRED', http: { status: 400 } } },
    });
  });
});
