import { describe, expect, it } from '@jest/globals';
import { random } from '../soak/load.js';
import { countKinds, interleave, PURCHASE, RATIO, sessionPlan, type Step } from './mix.js';

describe('storefront mix', () => {
  it('a guest session and a signed-in one hold exactly twice 10:5:3:1, whatever the seed', () => {
    for (let seed = 1; seed <= 200; seed += 1) {
      const rng = random(seed);
      const pair = [...sessionPlan(false, rng), ...sessionPlan(true, rng)];
      expect(countKinds(pair)).toEqual({
        browse: 2 * RATIO.browse,
        product: 2 * RATIO.product,
        cart: 2 * RATIO.cart,
        checkout: 2 * RATIO.checkout,
      });
    }
  });

  it('keeps guests out of the cart and checkout, and gives them no ForYou', () => {
    for (let seed = 1; seed <= 50; seed += 1) {
      const guest = sessionPlan(false, random(seed));
      expect(guest.every((step) => step.kind === 'browse' || step.kind === 'product')).toBe(true);
      expect(guest.some((step) => step.op === 'ForYou')).toBe(false);
    }
  });

  it('runs each purchase in order (add, update, cart, place order) after a first page', () => {
    for (let seed = 1; seed <= 200; seed += 1) {
      const plan = sessionPlan(true, random(seed));
      expect(plan[0]!.kind === 'browse' || plan[0]!.kind === 'product').toBe(true);
      const purchases = plan.filter((step) => step.kind === 'cart' || step.kind === 'checkout');
      expect(purchases.map((step) => step.op)).toEqual([...PURCHASE, ...PURCHASE].map((step) => step.op));
      expect(plan.filter((step) => step.op === 'ForYou')).toHaveLength(1);
    }
  });

  it('repeats with its seed and differs between seeds', () => {
    const ops = (seed: number) => sessionPlan(true, random(seed)).map((step: Step) => step.op);
    expect(ops(7)).toEqual(ops(7));
    expect(ops(7)).not.toEqual(ops(8));
  });

  it('interleaves two lists keeping the order of each', () => {
    const merged = interleave<number | string>([1, 2, 3], ['a', 'b'], random(3));
    expect(merged[0]).toBe(1);
    expect(merged.filter((x) => typeof x === 'number')).toEqual([1, 2, 3]);
    expect(merged.filter((x) => typeof x === 'string')).toEqual(['a', 'b']);
  });
});
