"use client";
// "Create payment link": an amount typed in the currency's own digits (turned into minor
// units, never a float), the currency, the integration (or the automatic choice for the
// currency), a description and the payer's e-mail. One Idempotency-Key per opening: a double
// click or a retry makes one payment. The result: the link to copy or open.
import * as React from "react";
import QRCode from "qrcode";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { toast } from "sonner";
import { Link2 } from "lucide-react";
import { api, formErrors } from "@/lib/client/api";
import { checkForm } from "@/lib/client/form";
import { createPaymentInput, type PaymentCreated } from "@/lib/payments/contract";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { Textarea } from "@/components/ui/textarea";
import { Dialog, DialogContent, DialogDescription, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import { FormFooter } from "@/components/shared/form-footer";
import { IntegrationSelect, MoneyFields } from "@/components/payments/money-fields";
import { useFormErrors } from "@/components/shared/form-errors";
import { LinkCreated } from "@/components/payments/link-created";
import { useIntegrations } from "@/components/shared/filter-fields";
import {
  CURRENCIES, PaymentStatusBadge, newIdempotencyKey, parseAmount, paymentIntegrations,
} from "@/components/payments/shared";

type Field = "amount" | "currency" | "integration" | "description" | "email";

function fieldOf(path: string): Field | null {
  const p = path.replace(/^body\./, "");
  if (p === "amountMinor") return "amount";
  if (p === "currency") return "currency";
  if (p === "integrationId" || p === "provider") return "integration";
  if (p === "description") return "description";
  if (p === "customerEmail") return "email";
  return null;
}

export function CreatePaymentDialog({ open, onOpenChange, defaultCurrency }: { open: boolean; onOpenChange: (open: boolean) => void; defaultCurrency: string }) {
  return (
    <Dialog open={open} onOpenChange={onOpenChange}>
      <DialogContent className="sm:max-w-lg">
        <DialogHeader>
          <DialogTitle>Create payment link</DialogTitle>
          <DialogDescription>A checkout page at the provider: send the link to the payer. The payment follows the provider&apos;s confirmations.</DialogDescription>
        </DialogHeader>
        {/* mounted while open only: every opening is a new payment with its own key */}
        {open && <CreateForm defaultCurrency={defaultCurrency} onClose={() => onOpenChange(false)} />}
      </DialogContent>
    </Dialog>
  );
}

function CreateForm({ defaultCurrency, onClose }: { defaultCurrency: string; onClose: () => void }) {
  const qc = useQueryClient();
  const [key] = React.useState(newIdempotencyKey);
  const integrations = useIntegrations();
  const usable = paymentIntegrations(integrations.data?.items).filter((i) => i.status !== "inactive");
  const configured = usable.flatMap((i) => ((i.config as { currencies?: string[] }).currencies ?? []).map((c) => c.toUpperCase()));
  const [currency, setCurrency] = React.useState<string | null>(null);
  // the organisation's default currency (Settings) until the person picks another
  const cur = currency ?? defaultCurrency;
  const [amount, setAmount] = React.useState("");
  const [integrationId, setIntegrationId] = React.useState("");
  const [description, setDescription] = React.useState("");
  const [email, setEmail] = React.useState("");
  const [touched, setTouched] = React.useState(false);
  const { errors, formError, formRef, clear, show: showErrors, err, invalid } = useFormErrors<Field>("pay");
  const parsed = parseAmount(amount, cur);
  const currencies = [...new Set([defaultCurrency, ...configured, ...CURRENCIES])];
  const takes = (c: string) => usable.filter((i) => ((i.config as { currencies?: string[] }).currencies ?? []).map((x) => x.toUpperCase()).includes(c));

  /** every field checked at once with the API's own schema; nothing is sent while one is wrong */
  function submit() {
    setTouched(true);
    clear();
    const body = {
      amountMinor: parsed.ok ? parsed.minor : undefined,
      currency: cur,
      ...(integrationId ? { integrationId } : {}),
      ...(description.trim() ? { description: description.trim() } : {}),
      ...(email.trim() ? { customerEmail: email.trim() } : {}),
    };
    const check = checkForm(createPaymentInput, body, fieldOf);
    const fields: Partial<Record<Field, string>> = check.ok ? {} : { ...check.fields };
    if (!parsed.ok) fields.amount = parsed.error;
    if (!check.ok || Object.keys(fields).length) return showErrors(fields, check.ok ? null : check.form);
    create.mutate(body);
  }

  const create = useMutation({
    mutationFn: (body: Record<string, unknown>) => api<PaymentCreated>("/api/v1/payments", { method: "POST", headers: { "Idempotency-Key": key }, json: body }),
    onSuccess: (p) => {
      toast.success(`Payment link for ${p.amount} created`);
      qc.invalidateQueries({ queryKey: ["payments"] });
    },
    onError: (e) => {
      const { fields: next, form } = formErrors(e, fieldOf);
      showErrors(next, form);
    },
  });

  if (create.data) return <Result p={create.data} onClose={onClose} />;

  const amountError = errors.amount ?? (touched && !parsed.ok ? parsed.error : undefined);

  return (
    <form
      ref={formRef}
      noValidate
      className="grid gap-4"
      aria-label="Create payment link"
      onSubmit={(e) => {
        e.preventDefault();
        if (!create.isPending) submit();
      }}
    >
      <MoneyFields
        prefix="pay"
        amountLabel="Amount"
        amount={amount}
        onAmountChange={setAmount}
        onAmountBlur={() => amount && setTouched(true)}
        amountError={amountError}
        currency={cur}
        currencies={currencies}
        onCurrencyChange={setCurrency}
        currencyError={errors.currency}
      />

      <IntegrationSelect
        prefix="pay"
        value={integrationId}
        onChange={setIntegrationId}
        currency={cur}
        integrations={usable}
        error={errors.integration}
        hint={
          integrations.isSuccess && (
            <p className="text-muted-foreground text-xs">
              {usable.length === 0
                ? "No payment integration yet: add one on the Integrations page."
                : !integrationId && takes(cur).length
                  ? `Automatic: ${takes(cur)[0].name} takes ${cur}`
                  : !integrationId
                    ? `The first payment integration that takes ${cur}`
                    : null}
            </p>
          )
        }
      />

      <div className="grid gap-1.5">
        <Label htmlFor="pay-description">Description</Label>
        <Textarea id="pay-description" className="min-h-16" maxLength={500} value={description} onChange={(e) => setDescription(e.target.value)} placeholder="Order 1042: airport transfer" {...invalid("description")} />
        {err("description") ?? <p className="text-muted-foreground text-xs">The payer sees it on the checkout page</p>}
      </div>

      <div className="grid gap-1.5">
        <Label htmlFor="pay-email">Customer e-mail</Label>
        <Input id="pay-email" type="email" autoComplete="off" value={email} onChange={(e) => setEmail(e.target.value)} placeholder="Optional: name@example.com" {...invalid("email")} />
        {err("email")}
      </div>

      <FormFooter formError={formError} onCancel={onClose} pending={create.isPending} icon={<Link2 />} label="Create link" />
    </form>
  );
}

/** The link as a QR code (to show on a phone or print), drawn locally as SVG. */
function LinkQrCode({ url }: { url: string }) {
  const [svg, setSvg] = React.useState<string | null>(null);
  React.useEffect(() => {
    let alive = true;
    QRCode.toString(url, { type: "svg", margin: 1, errorCorrectionLevel: "M" })
      .then((s) => alive && setSvg(s))
      .catch(() => alive && setSvg(null));
    return () => {
      alive = false;
    };
  }, [url]);
  if (!svg) return null;
  return (
    <figure className="grid justify-items-center gap-1">
      {/* the SVG comes from the qrcode library for our own link text, not from user HTML */}
      <div role="img" aria-label="QR code of the payment link" className="size-40 rounded border bg-white p-1" dangerouslySetInnerHTML={{ __html: svg }} />
      <figcaption className="text-muted-foreground text-xs">Scan to pay</figcaption>
    </figure>
  );
}

function Result({ p, onClose }: { p: PaymentCreated; onClose: () => void }) {
  return (
    <div className="grid gap-4" data-testid="payment-link-result">
      <div className="flex flex-wrap items-center gap-2 text-sm">
        <span className="text-lg font-semibold tabular-nums">{p.amount}</span>
        <PaymentStatusBadge status={p.status} />
        {p.integration && (
          <span className="text-muted-foreground">
            via {p.integration.name}
            {p.integration.mode === "sandbox" ? " (sandbox)" : ""}
          </span>
        )}
      </div>
      {p.description && <p className="text-muted-foreground text-sm">{p.description}</p>}
      <LinkCreated
        url={p.paymentUrl}
        linkLabel="Payment link"
        linkTestId="payment-link"
        extra={p.paymentUrl && <LinkQrCode url={p.paymentUrl} />}
        next={<>The payment turns Succeeded when the provider confirms it; follow it on the payment&apos;s page.</>}
        noLink="This integration makes a payment without a hosted page (a PaymentIntent your app confirms): there is no link to send."
        href={`/payments/${p.id}`}
        view="View payment"
        open="Open payment"
        onClose={onClose}
      />
    </div>
  );
}
