import { describe, expect, it } from '@jest/globals';
import { HeaderMap } from '@apollo/server';
import type { Context } from './context.js';
import { forwardAuthorizationPlugin } from './forward-authorization.plugin.js';

async function contextAfter(headers: Record<string, string>) {
  const contextValue = {} as Context;
  const http = { method: 'POST', headers: new HeaderMap(Object.entries(headers)), search: '', body: {} };
  const requestDidStart = forwardAuthorizationPlugin().requestDidStart!;
  await requestDidStart({ request: { http }, contextValue } as unknown as Parameters<
    typeof requestDidStart
  >[0]);
  return contextValue;
}

describe('forwardAuthorizationPlugin', () => {
  it("keeps the caller's Authorization header on the context", async () => {
    expect((await contextAfter({ authorization: 'Bearer abc' })).authorization).toBe('Bearer abc');
  });

  it('leaves it undefined for an anonymous caller', async () => {
    expect((await contextAfter({})).authorization).toBeUndefined();
  });
});
