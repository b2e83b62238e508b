/** A contract Money (`amount` is a decimal string) in the shopper's locale, e.g. "€12.50". */
export function formatMoney(money: { amount: string; currencyCode: string }, locale?: string): string {
  return new Intl.NumberFormat(locale, { style: 'currency', currency: money.currencyCode }).format(
    Number(money.amount),
  );
}
