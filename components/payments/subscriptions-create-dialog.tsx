"use client";
// "New subscription": the plan, the amount charged each period (typed in the currency's own
// digits, sent as minor units), the period (interval and how many of them), the payer's e-mail
// and the integration (only those whose provider has subscriptions). Checked in the browser with
// the API's own schema (createSubscriptionInput) before anything is sent; one Idempotency-Key
// per opening. The result: the page where the payer approves and pays the first period.
import * as React from "react";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { toast } from "sonner";
import { Repeat } from "lucide-react";
import { api, formErrors } from "@/lib/client/api";
import { checkForm } from "@/lib/client/form";
import { createSubscriptionInput, type SubscriptionCreated } from "@/lib/payments/contract";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { NativeSelect } from "@/components/ui/select";
import { Dialog, DialogContent, DialogDescription, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import { FormFooter } from "@/components/shared/form-footer";
import { IntegrationSelect, MoneyFields } from "@/components/payments/money-fields";
import { useFormErrors } from "@/components/shared/form-errors";
import { LinkCreated } from "@/components/payments/link-created";
import { useIntegrations } from "@/components/shared/filter-fields";
import { CURRENCIES, newIdempotencyKey, parseAmount, paymentIntegrations } from "@/components/payments/shared";
import { INTERVAL_CHOICES, SubscriptionStatusBadge, amountPerInterval, everyInterval, type SubscriptionProvider } from "@/components/payments/subscriptions-shared";

type Field = "plan" | "amount" | "currency" | "interval" | "count" | "integration" | "email";

function fieldOf(path: string): Field | null {
  const p = path.replace(/^body\./, "");
  if (p === "plan") return "plan";
  if (p === "amountMinor") return "amount";
  if (p === "currency") return "currency";
  if (p === "interval") return "interval";
  if (p === "intervalCount") return "count";
  if (p === "integrationId" || p === "provider") return "integration";
  if (p === "customerEmail") return "email";
  return null;
}

export function CreateSubscriptionDialog({
  open,
  onOpenChange,
  defaultCurrency,
  providers,
}: {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  defaultCurrency: string;
  providers: SubscriptionProvider[];
}) {
  return (
    <Dialog open={open} onOpenChange={onOpenChange}>
      <DialogContent className="sm:max-w-lg">
        <DialogHeader>
          <DialogTitle>New subscription</DialogTitle>
          <DialogDescription>
            A recurring payment: the payer approves it on the provider&apos;s page and pays the first period, then it renews by itself until it is canceled.
          </DialogDescription>
        </DialogHeader>
        {open && <CreateForm defaultCurrency={defaultCurrency} providers={providers} onClose={() => onOpenChange(false)} />}
      </DialogContent>
    </Dialog>
  );
}

function CreateForm({ defaultCurrency, providers, onClose }: { defaultCurrency: string; providers: SubscriptionProvider[]; onClose: () => void }) {
  const qc = useQueryClient();
  const [key] = React.useState(newIdempotencyKey);
  const integrations = useIntegrations();
  const recurring = new Set(providers.map((p) => p.id));
  const usable = paymentIntegrations(integrations.data?.items).filter((i) => i.status !== "inactive" && recurring.has(i.provider));
  const currenciesOf = (i: (typeof usable)[number]) => ((i.config as { currencies?: string[] }).currencies ?? []).map((c) => c.toUpperCase());
  const [currency, setCurrency] = React.useState<string | null>(null);
  const cur = currency ?? defaultCurrency;
  const [plan, setPlan] = React.useState("");
  const [amount, setAmount] = React.useState("");
  const [interval, setIntervalUnit] = React.useState<(typeof INTERVAL_CHOICES)[number]["value"]>("month");
  const [count, setCount] = React.useState("1");
  const [integrationId, setIntegrationId] = React.useState("");
  const [email, setEmail] = React.useState("");
  const [touched, setTouched] = React.useState(false);
  const { errors, formError, formRef, clear, show: showErrors, err, invalid, edited } = useFormErrors<Field>("sub");
  const parsed = parseAmount(amount, cur);
  const currencies = [...new Set([defaultCurrency, ...usable.flatMap(currenciesOf), ...CURRENCIES])];
  const takes = usable.filter((i) => currenciesOf(i).includes(cur));
  const countNumber = /^\d+$/.test(count.trim()) ? Number(count.trim()) : NaN;

  function submit() {
    setTouched(true);
    clear();
    const body = {
      plan,
      amountMinor: parsed.ok ? parsed.minor : undefined,
      currency: cur,
      interval,
      intervalCount: Number.isFinite(countNumber) ? countNumber : undefined,
      ...(integrationId ? { integrationId } : {}),
      ...(email.trim() ? { customerEmail: email.trim() } : {}),
    };
    const check = checkForm(createSubscriptionInput, body, fieldOf);
    const fields: Partial<Record<Field, string>> = check.ok ? {} : { ...check.fields };
    if (!parsed.ok) fields.amount = parsed.error;
    if (!Number.isFinite(countNumber)) fields.count = "A whole number, such as 1 or 3";
    if (fields.email) fields.email = "An e-mail address such as name@example.com";
    if (!check.ok || Object.keys(fields).length) return showErrors(fields, check.ok ? null : check.form);
    create.mutate(body);
  }

  const create = useMutation({
    mutationFn: (body: Record<string, unknown>) =>
      api<SubscriptionCreated>("/api/v1/payments/subscriptions", { method: "POST", headers: { "Idempotency-Key": key }, json: body }),
    onSuccess: (s) => {
      toast.success(`Subscription ${s.plan} created`);
      qc.invalidateQueries({ queryKey: ["subscriptions"] });
    },
    onError: (e) => {
      const { fields: next, form } = formErrors(e, fieldOf);
      showErrors(next, form);
    },
  });

  if (create.data) return <Result s={create.data} onClose={onClose} />;

  const amountError = errors.amount ?? (touched && !parsed.ok ? parsed.error : undefined);
  const unit = INTERVAL_CHOICES.find((c) => c.value === interval)!.unit;

  return (
    <form
      ref={formRef}
      noValidate
      className="grid gap-4"
      aria-label="New subscription"
      onSubmit={(e) => {
        e.preventDefault();
        if (!create.isPending) submit();
      }}
    >
      <div className="grid gap-1.5">
        <Label htmlFor="sub-plan">Plan</Label>
        <Input id="sub-plan" autoComplete="off" maxLength={200} placeholder="Pro, monthly" value={plan} onChange={(e) => { setPlan(e.target.value); edited("plan"); }} {...invalid("plan")} />
        {err("plan") ?? <p className="text-muted-foreground text-xs">The payer sees it on the approval page</p>}
      </div>

      <MoneyFields
        prefix="sub"
        className="grid gap-4 sm:grid-cols-[2fr_1fr] sm:items-start"
        amountLabel="Amount each period"
        amount={amount}
        onAmountChange={(v) => { setAmount(v); edited("amount"); }}
        onAmountBlur={() => amount && setTouched(true)}
        amountError={amountError}
        currency={cur}
        currencies={currencies}
        onCurrencyChange={(c) => { setCurrency(c); edited("currency"); edited("amount"); }}
        currencyError={errors.currency}
      />

      <fieldset className="grid gap-1.5">
        <legend className="mb-1.5 text-sm font-medium">Charged</legend>
        <div className="grid grid-cols-[auto_6rem_1fr] items-center gap-2">
          <span className="text-sm">every</span>
          <Input
            id="sub-count"
            aria-label="Number of intervals"
            inputMode="numeric"
            autoComplete="off"
            value={count}
            onChange={(e) => { setCount(e.target.value); edited("count"); }}
            {...invalid("count")}
          />
          <NativeSelect id="sub-interval" aria-label="Interval" value={interval} onChange={(e) => { setIntervalUnit(e.target.value as typeof interval); edited("interval"); }} {...invalid("interval")}>
            {INTERVAL_CHOICES.map((c) => (
              <option key={c.value} value={c.value}>
                {countNumber === 1 ? c.unit[0] : c.unit[1]}
              </option>
            ))}
          </NativeSelect>
        </div>
        {err("count") ?? err("interval") ?? (
          <p className="text-muted-foreground text-xs" data-testid="sub-period-hint">
            {Number.isFinite(countNumber) && countNumber >= 1
              ? `${parsed.ok ? `${amount.trim()} ${cur}` : "The amount"} ${everyInterval(interval, countNumber)}${interval === "month" && countNumber === 3 ? " (quarterly)" : ""}`
              : `How many ${unit[1]} between charges`}
          </p>
        )}
      </fieldset>

      <IntegrationSelect
        prefix="sub"
        value={integrationId}
        onChange={(id) => { setIntegrationId(id); edited("integration"); }}
        currency={cur}
        integrations={usable}
        error={errors.integration}
        hint={
          integrations.isSuccess && (
            <p className="text-muted-foreground text-xs">
              {usable.length === 0
                ? `No integration takes subscriptions yet: connect ${providers.map((p) => p.name).join(", ").replace(/, ([^,]*)$/, " or $1")} on the Integrations page.`
                : !integrationId && takes.length
                  ? `Automatic: ${takes[0].name} takes ${cur}`
                  : !integrationId
                    ? `The first integration with subscriptions that takes ${cur}`
                    : null}
            </p>
          )
        }
      />

      <div className="grid gap-1.5">
        <Label htmlFor="sub-email">Payer e-mail</Label>
        <Input id="sub-email" type="email" autoComplete="off" value={email} onChange={(e) => { setEmail(e.target.value); edited("email"); }} placeholder="Optional: name@example.com" {...invalid("email")} />
        {err("email")}
      </div>

      <FormFooter formError={formError} onCancel={onClose} pending={create.isPending} icon={<Repeat />} label="Create subscription" />
    </form>
  );
}

function Result({ s, onClose }: { s: SubscriptionCreated; onClose: () => void }) {
  return (
    <div className="grid gap-4" data-testid="subscription-result">
      <div className="flex flex-wrap items-center gap-2 text-sm">
        <span className="text-lg font-semibold">{s.plan}</span>
        <SubscriptionStatusBadge status={s.status} />
      </div>
      <p className="text-sm tabular-nums">
        {amountPerInterval(s)}
        {s.integration && (
          <span className="text-muted-foreground">
            {" "}
            · via {s.integration.name}
            {s.integration.mode === "sandbox" ? " (sandbox)" : ""}
          </span>
        )}
      </p>
      <LinkCreated
        url={s.paymentUrl}
        linkLabel="Approval link"
        linkTestId="subscription-link"
        next="The payer approves the subscription and pays the first period there; it turns Active when the provider confirms it."
        noLink="The provider gave no approval page for this subscription: follow it on its page."
        href={`/payments/subscriptions/${s.id}`}
        view="View subscription"
        open="Open approval page"
        onClose={onClose}
      />
    </div>
  );
}
