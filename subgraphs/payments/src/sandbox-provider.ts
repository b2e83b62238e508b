import { randomUUID } from 'node:crypto';
import type { Database } from '@shop/platform';
import type { ChargeRequest, ChargeResult, PaymentProvider, RefundResult } from './payment-provider.js';
import { SandboxCharge, SandboxRefund } from './sandbox-provider.entity.js';

/**
 * The sandbox's rules (the contract's payment tokens): `tok_chargeDeclined` is declined
 * `card_declined`, `tok_insufficientFunds` is declined `insufficient_funds`, any other token starting
 * with `tok_` succeeds. Anything else is refused by orders' `placeOrder` already; should one arrive it
 * is declined `invalid_token`.
 */
export function sandboxDecision(token: string): Pick<ChargeResult, 'outcome' | 'reason'> {
  if (token === 'tok_chargeDeclined') return { outcome: 'declined', reason: 'card_declined' };
  if (token === 'tok_insufficientFunds') return { outcome: 'declined', reason: 'insufficient_funds' };
  if (token.startsWith('tok_')) return { outcome: 'succeeded' };
  return { outcome: 'declined', reason: 'invalid_token' };
}

const chargeResult = (row: SandboxCharge): ChargeResult => ({
  providerRef: row.providerRef,
  outcome: row.outcome,
  ...(row.reason ? { reason: row.reason } : {}),
});

/**
 * A payment provider that moves no money but behaves like a real one towards payments: it keeps
 * its own ledger (`sandbox_charge`, `sandbox_refund`) written in its OWN transactions, committed
 * before it answers, independent of the caller's transaction, and it is idempotent by key. A second
 * charge with a key already used returns the first result and never charges again (concurrent
 * calls with one key meet on the primary key: one inserts, the others read its row).
 */
export function createSandboxPaymentProvider(orm: Database): PaymentProvider {
  return {
    async charge(request: ChargeRequest): Promise<ChargeResult> {
      if (!Number.isInteger(request.amountMinor) || request.amountMinor < 0) {
        throw new RangeError('amountMinor must be a non-negative integer');
      }
      const decision = sandboxDecision(request.token);
      const conn = orm.em.fork().getConnection();
      await conn.execute(
        `insert into sandbox_charge (idempotency_key, provider_ref, amount_minor, currency_code, token, outcome, reason, created_at)
           values (?, ?, ?, ?, ?, ?, ?, now()) on conflict (idempotency_key) do nothing`,
        [
          request.idempotencyKey,
          `ch_${randomUUID()}`,
          request.amountMinor,
          request.currencyCode,
          request.token,
          decision.outcome,
          decision.reason ?? null,
        ],
        'run',
      );
      const row = await orm.em
        .fork()
        .findOneOrFail(SandboxCharge, { idempotencyKey: request.idempotencyKey });
      return chargeResult(row);
    },

    async refund(request): Promise<RefundResult> {
      const em = orm.em.fork();
      const charge = await em.findOne(SandboxCharge, { providerRef: request.providerRef });
      if (!charge) throw new Error(`sandbox: no charge ${request.providerRef}`);
      if (charge.outcome !== 'succeeded')
        throw new Error(`sandbox: charge ${request.providerRef} was declined`);
      if (request.amountMinor !== charge.amountMinor) {
        throw new Error('sandbox: only full refunds are supported');
      }
      // A charge is refunded once whatever the key (chargeRef is unique), and a key names one refund.
      await em.getConnection().execute(
        `insert into sandbox_refund (idempotency_key, refund_ref, charge_ref, amount_minor, created_at)
             values (?, ?, ?, ?, now()) on conflict do nothing`,
        [request.idempotencyKey, `re_${randomUUID()}`, request.providerRef, request.amountMinor],
        'run',
      );
      const refund = await orm.em.fork().findOneOrFail(SandboxRefund, { chargeRef: request.providerRef });
      return { refundRef: refund.refundRef };
    },
  };
}
