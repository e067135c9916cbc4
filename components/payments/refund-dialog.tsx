"use client";
// Refund: the amount prefilled with what is left to refund (typed in the currency's digits,
// sent in minor units), an optional reason, one Idempotency-Key per opening. A refusal for
// too much (422, details.remainingMinor) is shown next to the amount.
import * as React from "react";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { toast } from "sonner";
import { Loader2, Undo2 } from "lucide-react";
import { api, ClientApiError } from "@/lib/client/api";
import { toDecimalString } from "@/lib/money";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { Textarea } from "@/components/ui/textarea";
import { Alert, AlertDescription } from "@/components/ui/alert";
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import { money, newIdempotencyKey, parseAmount, type PaymentDetail, type Refund } from "@/components/payments/shared";

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
  const [amountError, setAmountError] = React.useState<string | null>(null);
  const [formError, setFormError] = React.useState<string | null>(null);

  const refund = useMutation({
    mutationFn: () => {
      const parsed = parseAmount(amount, payment.currency);
      if (!parsed.ok) throw new ClientApiError(400, "validation_failed", parsed.error, [{ path: "amountMinor", message: parsed.error }]);
      if (parsed.minor > remaining) {
        throw new ClientApiError(422, "unprocessable", `At most ${money(remaining, payment.currency)} can be refunded`, { remainingMinor: remaining });
      }
      return api<{ refund: Refund; payment: PaymentDetail }>(`/api/v1/payments/${payment.id}/refund`, {
        method: "POST",
        headers: { "Idempotency-Key": key },
        json: { amountMinor: parsed.minor, ...(reason.trim() ? { reason: reason.trim() } : {}) },
      });
    },
    onMutate: () => {
      setAmountError(null);
      setFormError(null);
    },
    onSuccess: (r) => {
      const what = money(r.refund.amountMinor, r.refund.currency);
      if (r.refund.status === "failed") toast.error(`The refund of ${what} failed: ${r.refund.error ?? "the provider refused it"}`);
      else toast.success(r.refund.status === "succeeded" ? `Refunded ${what}` : `Refund of ${what} requested: waiting for the provider`);
      qc.setQueryData(["payments", "one", payment.id], r.payment);
      qc.invalidateQueries({ queryKey: ["payments"] });
      onClose();
    },
    onError: (e) => {
      if (e instanceof ClientApiError) {
        const details = (e.details ?? {}) as { remainingMinor?: number };
        if (typeof details.remainingMinor === "number") {
          setRemaining(details.remainingMinor);
          setAmountError(e.message);
          return;
        }
        const fields = e.fieldErrors();
        if (fields.amountMinor) return setAmountError(fields.amountMinor);
        setFormError([e.message, ...Object.entries(fields).map(([p, m]) => `${p}: ${m}`)].join(" · "));
      } else setFormError((e as Error).message);
    },
  });

  const hint = `At most ${money(remaining, payment.currency)} can be refunded`;
  return (
    <form
      className="grid gap-4"
      aria-label="Refund payment"
      onSubmit={(e) => {
        e.preventDefault();
        if (!refund.isPending) refund.mutate();
      }}
    >
      <div className="grid gap-1.5">
        <Label htmlFor="refund-amount">Amount ({payment.currency})</Label>
        <Input
          id="refund-amount"
          inputMode="decimal"
          autoComplete="off"
          value={amount}
          onChange={(e) => setAmount(e.target.value)}
          aria-invalid={amountError ? true : undefined}
          aria-describedby="refund-amount-hint"
        />
        <p id="refund-amount-hint" className={amountError ? "text-destructive text-sm" : "text-muted-foreground text-xs"} data-testid="refund-hint">
          {amountError ? `${amountError}` : hint}
        </p>
        {amountError && amountError !== hint && <p className="text-muted-foreground text-xs">{hint}</p>}
      </div>
      <div className="grid gap-1.5">
        <Label htmlFor="refund-reason">Reason</Label>
        <Textarea id="refund-reason" className="min-h-16" maxLength={300} value={reason} onChange={(e) => setReason(e.target.value)} placeholder="Optional: requested_by_customer, duplicate, or your words" />
      </div>
      {formError && (
        <Alert variant="destructive">
          <AlertDescription>{formError}</AlertDescription>
        </Alert>
      )}
      <DialogFooter>
        <Button type="button" variant="outline" onClick={onClose}>
          Cancel
        </Button>
        <Button type="submit" variant="destructive" disabled={refund.isPending || remaining <= 0}>
          {refund.isPending ? <Loader2 className="animate-spin" /> : <Undo2 />} Refund
        </Button>
      </DialogFooter>
    </form>
  );
}
