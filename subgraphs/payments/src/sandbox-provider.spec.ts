import { describe, expect, it } from '@jest/globals';
import { sandboxDecision } from './sandbox-provider.js';

describe('the sandbox payment rules', () => {
  it('declines the two declining test tokens with their reasons', () => {
    expect(sandboxDecision('tok_chargeDeclined')).toEqual({ outcome: 'declined', reason: 'card_declined' });
    expect(sandboxDecision('tok_insufficientFunds')).toEqual({
      outcome: 'declined',
      reason: 'insufficient_funds',
    });
  });

  it('accepts any other tok_ token', () => {
    for (const token of ['tok_visa', 'tok_mastercard', 'tok_', 'tok_chargeDeclinedX', 'tok_CHARGEDECLINED']) {
      expect(sandboxDecision(token)).toEqual({ outcome: 'succeeded' });
    }
  });

  it('declines anything that is not a tok_ token as invalid_token', () => {
    for (const token of ['', 'visa', 'TOK_visa', ' tok_visa', 'pm_123']) {
      expect(sandboxDecision(token)).toEqual({ outcome: 'declined', reason: 'invalid_token' });
    }
  });
});
