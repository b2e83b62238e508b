import { describe, expect, it } from '@jest/globals';
import { waitFor } from './wait-for.js';

describe('waitFor', () => {
  it('resolves with the first truthy value, polling sync and async checks', async () => {
    let calls = 0;
    expect(await waitFor(() => ++calls >= 3)).toBe(true);
    expect(calls).toBe(3);
    const found = await waitFor(async () => (calls++ >= 5 ? { id: 'a' } : undefined));
    expect(found).toEqual({ id: 'a' });
  });

  it('checks once even with no time to wait', async () => {
    await expect(waitFor(() => 'ready', 0)).resolves.toBe('ready');
  });

  it('times out naming what it awaited', async () => {
    await expect(waitFor(() => false, 120, 'the placed event')).rejects.toThrow(
      'timed out after 120 ms waiting for the placed event',
    );
  });

  it("names the check's source when not told what it awaited", async () => {
    const seen: string[] = [];
    // The source as the test runner compiled it: spacing may differ, the expression stays.
    await expect(waitFor(() => seen.includes('order-1'), 60)).rejects.toThrow(
      /^timed out after 60 ms waiting for .*seen\.includes\('order-1'\)/,
    );
  });

  it('rejects at once with what the check throws', async () => {
    let calls = 0;
    const failing = () => {
      calls++;
      throw new Error('database is gone');
    };
    await expect(waitFor(failing, 10_000)).rejects.toThrow('database is gone');
    expect(calls).toBe(1);
  });
});
