// Money is integer minor units plus an ISO 4217 currency, never floats. Providers that want a
// decimal string (YooKassa "100.00", PayPal "10.00", JPY "1000") get one made with integer
// arithmetic; their answers are parsed back the same way.

/** digits after the decimal point for a currency (JPY 0, USD 2, BHD 3), from the ICU data */
const digits = new Map<string, number>();
export function currencyDigits(currency: string): number {
  let d = digits.get(currency);
  if (d === undefined) {
    // building a NumberFormat costs tens of microseconds: once per currency, not per amount
    d = new Intl.NumberFormat("en", { style: "currency", currency }).resolvedOptions().maximumFractionDigits ?? 2;
    digits.set(currency, d);
  }
  return d;
}

export function isCurrency(code: string): boolean {
  if (!/^[A-Z]{3}$/.test(code)) return false;
  try {
    return Intl.supportedValuesOf("currency").includes(code);
  } catch {
    return true;
  }
}

/** 12345 RUB → "123.45"; 1000 JPY → "1000" */
export function toDecimalString(minor: number, currency: string): string {
  if (!Number.isSafeInteger(minor)) throw new Error(`Not an integer amount: ${minor}`);
  const d = currencyDigits(currency);
  if (d === 0) return String(minor);
  const neg = minor < 0;
  const s = String(Math.abs(minor)).padStart(d + 1, "0");
  return `${neg ? "-" : ""}${s.slice(0, -d)}.${s.slice(-d)}`;
}

/** "123.45" RUB → 12345; "1000" JPY → 1000; refuses more decimals than the currency has */
export function fromDecimalString(value: string, currency: string): number {
  const d = currencyDigits(currency);
  const m = /^(-)?(\d+)(?:\.(\d+))?$/.exec(value.trim());
  if (!m) throw new Error(`Not an amount: "${value}"`);
  const frac = (m[3] ?? "").replace(/0+$/, "");
  if (frac.length > d) throw new Error(`"${value}" has more decimals than ${currency} allows (${d})`);
  const minor = Number(m[2]) * 10 ** d + Number((frac || "0").padEnd(d, "0").slice(0, d) || "0");
  return m[1] ? -minor : minor;
}

/** for people: 12345 RUB → "123.45 RUB" */
export function formatMoney(minor: number, currency: string): string {
  return `${toDecimalString(minor, currency)} ${currency}`;
}
