import type { Money } from "./types";

const DECIMAL = /^-?\d+(\.\d+)?$/;

/**
 * Formats an Admin API money value, e.g. { amount: "24.5", currencyCode: "USD" } -> "$24.50".
 * The amount is handed to Intl as the decimal string itself (never a float), so large or
 * long amounts display exactly; the currency decides the decimals (JPY has none).
 */
export function formatMoney(money: Money, locale = "en-US"): string {
  const amount = money.amount.trim();
  if (!DECIMAL.test(amount)) {
    throw new Error(
      `Cannot format price "${money.amount}" ${money.currencyCode}: expected a decimal string such as "24.50".`,
    );
  }
  const formatter = currencyFormatter(locale, money.currencyCode);
  // Node 20's Intl formats decimal strings exactly; the type definitions only admit number | bigint.
  return formatter.format(amount as unknown as number);
}

// Building an Intl.NumberFormat costs far more than formatting with one; an email formats a
// price per product, so formatters are kept per locale and currency.
const formatters = new Map<string, Intl.NumberFormat>();
function currencyFormatter(locale: string, currency: string): Intl.NumberFormat {
  const key = `${locale}|${currency}`;
  let formatter = formatters.get(key);
  if (!formatter) {
    formatter = new Intl.NumberFormat(locale, { style: "currency", currency });
    formatters.set(key, formatter);
  }
  return formatter;
}
