import { describe, expect, it } from '@jest/globals';
import { FAULT_KINDS, plan } from './faults.js';

describe('the soak fault plan', () => {
  it('plans every kind the given number of times, spread over the span and sorted by due time', () => {
    const planned = plan(30, 600_000);
    expect(planned).toHaveLength(30 * FAULT_KINDS.length);
    for (const kind of FAULT_KINDS) {
      const times = planned.filter((fault) => fault.kind === kind).map((fault) => fault.atMs);
      expect(times).toHaveLength(30);
      // One every 20 s on each track, the first within the first period, the last within the span.
      for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBe(20_000);
      expect(times[0]).toBeGreaterThan(0);
      expect(times[0]).toBeLessThan(20_000);
      expect(times.at(-1)).toBeLessThan(600_000);
    }
    const due = planned.map((fault) => fault.atMs);
    expect(due).toEqual([...due].sort((a, b) => a - b));
  });

  it('staggers the kinds within a period, so no two tracks start a fault at the same moment', () => {
    const firsts = FAULT_KINDS.map((kind) => plan(1, 60_000).find((fault) => fault.kind === kind)!.atMs);
    expect(new Set(firsts).size).toBe(FAULT_KINDS.length);
    expect(firsts).toEqual([5_000, 15_000, 25_000, 35_000, 45_000, 55_000]);
  });

  it('plans nothing for zero faults per kind', () => {
    expect(plan(0, 30_000)).toEqual([]);
  });
});
