"use client";
// The fields that a payment link and a subscription share: the amount (typed in the currency's
// own digits) beside its currency, and the payment integration (or the automatic choice for the
// currency). Ids are `<prefix>-amount`, `<prefix>-currency`, `<prefix>-integration`, and a
// field's message is `<prefix>-<field>-error` (what aria-describedby and the tests point at).
import * as React from "react";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { NativeSelect } from "@/components/ui/select";
import { currencyDigits } from "@/lib/money";
import type { paymentIntegrations } from "@/components/payments/shared";

type PaymentIntegration = ReturnType<typeof paymentIntegrations>[number];

/** a field's message under it and the attributes that tie the field to it, for ids `<prefix>-<field>` */
export function fieldMessages<F extends string>(prefix: string, errors: Partial<Record<F, string>>) {
  const err = (f: F, message = errors[f]) =>
    message ? (
      <p id={`${prefix}-${f}-error`} className="text-destructive text-sm">
        {message}
      </p>
    ) : null;
  const invalid = (f: F, message = errors[f]) => (message ? { "aria-invalid": true as const, "aria-describedby": `${prefix}-${f}-error` } : {});
  return { err, invalid };
}

export function MoneyFields({
  prefix,
  amountLabel,
  amount,
  onAmountChange,
  onAmountBlur,
  amountError,
  currency,
  currencies,
  onCurrencyChange,
  currencyError,
  className = "grid gap-4 sm:grid-cols-[2fr_1fr]",
}: {
  prefix: string;
  amountLabel: string;
  amount: string;
  onAmountChange: (text: string) => void;
  onAmountBlur: () => void;
  amountError: string | undefined;
  currency: string;
  currencies: string[];
  onCurrencyChange: (currency: string) => void;
  currencyError: string | undefined;
  className?: string;
}) {
  const { err, invalid } = fieldMessages<"amount" | "currency">(prefix, { amount: amountError, currency: currencyError });
  const digits = currencyDigits(currency);
  return (
    <div className={className}>
      <div className="grid gap-1.5">
        <Label htmlFor={`${prefix}-amount`}>{amountLabel}</Label>
        <Input
          id={`${prefix}-amount`}
          inputMode={digits ? "decimal" : "numeric"}
          autoComplete="off"
          placeholder={digits ? `100.${"0".repeat(digits)}` : "1000"}
          value={amount}
          onChange={(e) => onAmountChange(e.target.value)}
          onBlur={onAmountBlur}
          {...invalid("amount")}
        />
        {err("amount") ?? (
          <p className="text-muted-foreground text-xs">{digits ? `In ${currency}, up to ${digits} decimal${digits === 1 ? "" : "s"}` : `In ${currency}: whole amounts, no decimals`}</p>
        )}
      </div>
      <div className="grid gap-1.5">
        <Label htmlFor={`${prefix}-currency`}>Currency</Label>
        <NativeSelect id={`${prefix}-currency`} value={currency} onChange={(e) => onCurrencyChange(e.target.value)} {...invalid("currency")}>
          {currencies.map((c) => (
            <option key={c} value={c}>
              {c}
            </option>
          ))}
        </NativeSelect>
        {err("currency")}
      </div>
    </div>
  );
}

/** "Provider": the integrations offered (sandbox ones say so) or the automatic choice; `hint` under it unless there is an error */
export function IntegrationSelect({
  prefix,
  value,
  onChange,
  currency,
  integrations,
  error,
  hint,
}: {
  prefix: string;
  value: string;
  onChange: (id: string) => void;
  currency: string;
  integrations: PaymentIntegration[];
  error: string | undefined;
  hint: React.ReactNode;
}) {
  const { err, invalid } = fieldMessages<"integration">(prefix, { integration: error });
  return (
    <div className="grid gap-1.5">
      <Label htmlFor={`${prefix}-integration`}>Provider</Label>
      <NativeSelect id={`${prefix}-integration`} value={value} onChange={(e) => onChange(e.target.value)} {...invalid("integration")}>
        <option value="">Automatic for {currency}</option>
        {integrations.map((i) => (
          <option key={i.id} value={i.id}>
            {i.name === i.providerName ? i.name : `${i.name} — ${i.providerName}`}
            {i.mode === "sandbox" ? " (sandbox)" : ""}
          </option>
        ))}
      </NativeSelect>
      {err("integration") ?? hint}
    </div>
  );
}
