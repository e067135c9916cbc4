"use client";
// Refund: the amount prefilled with what is left to refund (typed in the currency's digits,
// sent in minor units), an optional reason, one Idempotency-Key per opening. Checked in the
// browser with the API's own schema (lib/payments/contract.ts) and what is left to refund before
// anything is sent; a refusal for too much (422, details.remainingMinor: someone refunded
// meanwhile) is shown next to the amount too.
import * as React from "react";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { toast } from "sonner";
import { Undo2 } from "lucide-react";
import { api, ClientApiError, formErrors } from "@/lib/client/api";
import { checkForm } from "@/lib/client/form";
import { useFormErrors } from "@/components/shared/form-errors";
import { refundInput, type PaymentDetail, type RefundAnswer } from "@/lib/payments/contract";
import { toDecimalString } from "@/lib/money";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { Textarea } from "@/components/ui/textarea";
import { FormFooter } from "@/components/shared/form-footer";
import { Dialog, DialogContent, DialogDescription, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import { money, newIdempotencyKey, parseAmount } from "@/components/payments/shared";

type Field = "amount" | "reason";
const fieldOf = (path: string): Field | null => {
  const p = path.replace(/^body\./, "");
  return p === "amountMinor" ? "amount" : p === "reason" ? "reason" : null;
};

export function RefundDialog({ payment, open, onOpenChange }: { payment: PaymentDetail; open: boolean; onOpenChange: (open: boolean) => void }) {
  return (
    <Dialog open={open} onOpenChange={onOpenChange}>
      <DialogContent className="sm:max-w-md">
        <DialogHeader>
          <DialogTitle>Refund payment</DialogTitle>
          <DialogDescription>
            {payment.amount}
            {payment.description ? ` · ${payment.description}` : ""}. The money goes back to the payer through {payment.integration?.name ?? payment.provider}.
          </DialogDescription>
        </DialogHeader>
        {open && <RefundForm payment={payment} onClose={() => onOpenChange(false)} />}
      </DialogContent>
    </Dialog>
  );
}

function RefundForm({ payment, onClose }: { payment: PaymentDetail; onClose: () => void }) {
  const qc = useQueryClient();
  const [key] = React.useState(newIdempotencyKey);
  const [remaining, setRemaining] = React.useState(payment.refundableMinor);
  const [amount, setAmount] = React.useState(() => toDecimalString(payment.refundableMinor, payment.currency));
  const [reason, setReason] = React.useState("");
  const { errors, formError, formRef, clear, show: showErrors, err, invalid } = useFormErrors<Field>("refund");

  /** every field checked at once with the API's own schema; nothing is sent while one is wrong */
  function submit() {
    clear();
    const parsed = parseAmount(amount, payment.currency);
    const body = { amountMinor: parsed.ok ? parsed.minor : undefined, ...(reason.trim() ? { reason: reason.trim() } : {}) };
    const check = checkForm(refundInput, body, fieldOf);
    const fields: Partial<Record<Field, string>> = check.ok ? {} : { ...check.fields };
    if (!parsed.ok) fields.amount = parsed.error;
    else if (parsed.minor > remaining) fields.amount = `At most ${money(remaining, payment.currency)} can be refunded`;
    if (!check.ok || Object.keys(fields).length) return showErrors(fields, check.ok ? null : check.form);
    refund.mutate(body);
  }

  const refund = useMutation({
    mutationFn: (body: Record<string, unknown>) =>
      api<RefundAnswer>(`/api/v1/payments/${payment.id}/refund`, { method: "POST", headers: { "Idempotency-Key": key }, json: body }),
    onSuccess: (r) => {
      const what = money(r.refund.amountMinor, r.refund.currency);
      if (r.refund.status === "failed") toast.error(`The refund of ${what} failed: ${r.refund.error ?? "the provider refused it"}`);
      else toast.success(r.refund.status === "succeeded" ? `Refunded ${what}` : `Refund of ${what} requested: waiting for the provider`);
      qc.setQueryData(["payments", "one", payment.id], r.payment);
      qc.invalidateQueries({ queryKey: ["payments"] });
      onClose();
    },
    onError: (e) => {
      const details = (e instanceof ClientApiError ? (e.details ?? {}) : {}) as { remainingMinor?: number };
      if (typeof details.remainingMinor === "number") {
        setRemaining(details.remainingMinor);
        return showErrors({ amount: (e as Error).message }, null);
      }
      const { fields, form } = formErrors(e, fieldOf);
      showErrors(fields, form);
    },
  });

  const hint = `At most ${money(remaining, payment.currency)} can be refunded`;
  return (
    <form
      ref={formRef}
      noValidate
      className="grid gap-4"
      aria-label="Refund payment"
      onSubmit={(e) => {
        e.preventDefault();
        if (!refund.isPending) submit();
      }}
    >
      <div className="grid gap-1.5">
        <Label htmlFor="refund-amount">Amount ({payment.currency})</Label>
        <Input id="refund-amount" inputMode="decimal" autoComplete="off" value={amount} onChange={(e) => setAmount(e.target.value)} {...invalid("amount", errors.amount, errors.amount !== hint ? "refund-amount-hint" : undefined)} />
        {err("amount")}
        {errors.amount !== hint && (
          <p id="refund-amount-hint" className="text-muted-foreground text-xs" data-testid="refund-hint">
            {hint}
          </p>
        )}
      </div>
      <div className="grid gap-1.5">
        <Label htmlFor="refund-reason">Reason</Label>
        <Textarea
          id="refund-reason"
          className="min-h-16"
          maxLength={300}
          value={reason}
          onChange={(e) => setReason(e.target.value)}
          placeholder="Optional: requested_by_customer, duplicate, or your words"
          {...invalid("reason")}
        />
        {err("reason")}
      </div>
      <FormFooter formError={formError} onCancel={onClose} pending={refund.isPending} disabled={remaining <= 0} icon={<Undo2 />} label="Refund" variant="destructive" />
    </form>
  );
}
