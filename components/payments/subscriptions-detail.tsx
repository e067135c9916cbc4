"use client";
// One subscription: its status in words, plan, amount per period, the current period and
// whether it ends with it, its charges (the first and each renewal: payments, with the
// provider's invoice and its PDF), the timeline and the provider calls. Cancel (asks first: now,
// or at the end of the period, saying what each does) and Resume (undoes a cancel at the end of
// the period) are offered only when the answer's `actions` says so, otherwise a line says why;
// people whose role may not change subscriptions see neither (the API refuses them too).
// While it waits for the payer's first payment the page follows it every few seconds; the payer
// comes back here from the approval page (?returned=1, or ?canceled=1 when they left it).
import * as React from "react";
import Link from "next/link";
import { useSearchParams } from "next/navigation";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { toast } from "sonner";
import { ArrowLeft, CheckCircle2, ExternalLink, Loader2, Play, RefreshCw, XCircle } from "lucide-react";
import { api, ClientApiError } from "@/lib/client/api";
import { PageHeader } from "@/components/layout/app-shell";
import { Button } from "@/components/ui/button";
import { Badge } from "@/components/ui/badge";
import { Alert, AlertDescription, AlertTitle } from "@/components/ui/alert";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { formatDateTime } from "@/lib/format";
import { ProviderCalls } from "@/components/shared/provider-calls";
import { DetailLoadError, DetailLoading } from "@/components/shared/detail-states";
import { TimelineEntry, TimelineList, inOrder } from "@/components/shared/timeline";
import { CopyField, PAYMENT_STATUS_STYLE, PaymentStatusBadge, ProviderCell } from "@/components/payments/shared";
import {
  InvoiceLinks, SUBSCRIPTION_STATUS_STYLE, SubscriptionStatusBadge, amountPerInterval, formatDay, periodText,
} from "@/components/payments/subscriptions-shared";
import type {
  PaymentStatus, SubscriptionCharge, SubscriptionDetail as Detail, SubscriptionHistoryEntry, SubscriptionStatus,
} from "@/lib/payments/contract";

const LIVE_MS = 3000;

export function SubscriptionDetail({ id, canAct }: { id: string; canAct: boolean }) {
  const qc = useQueryClient();
  const params = useSearchParams();
  const returned = params.get("returned") === "1";
  const leftCheckout = params.get("canceled") === "1";
  const [canceling, setCanceling] = React.useState(false);

  const q = useQuery({
    queryKey: ["subscriptions", "one", id],
    queryFn: () => api<Detail>(`/api/v1/payments/subscriptions/${id}`),
    retry: (n, e) => !(e instanceof ClientApiError && e.status === 404) && n < 2,
    // waiting for the payer's first payment, or a charge still open: follow it
    refetchInterval: (query) => {
      const d = query.state.data;
      if (!d) return false;
      return d.status === "incomplete" || d.charges.some((c) => c.status === "pending" || c.status === "requires_action") ? LIVE_MS : false;
    },
  });

  const settle = (d: Detail, message: string) => {
    qc.setQueryData(["subscriptions", "one", id], d);
    qc.invalidateQueries({ queryKey: ["subscriptions", "list"] });
    toast.success(message);
  };

  const check = useMutation({
    mutationFn: () => api<Detail>(`/api/v1/payments/subscriptions/${id}?refresh=1`),
    onSuccess: (d) => settle(d, `Checked with the provider: ${SUBSCRIPTION_STATUS_STYLE[d.status]?.label ?? d.status}`),
    onError: (e) => toast.error(`Could not check with the provider: ${(e as Error).message}`),
  });
  const resume = useMutation({
    mutationFn: () => api<Detail>(`/api/v1/payments/subscriptions/${id}/resume`, { method: "POST", json: {} }),
    onSuccess: (d) => settle(d, "Resumed: it renews at the end of the period again"),
    onError: (e) => toast.error(`Could not resume it: ${(e as Error).message}`),
  });

  const d = q.data;
  const back = (
    <Button variant="outline" asChild>
      <Link href="/payments?tab=subscriptions">
        <ArrowLeft /> Subscriptions
      </Link>
    </Button>
  );

  if (q.isPending) return <DetailLoading title="Subscription" actions={back} />;
  if (q.isError || !d) return <DetailLoadError title="Subscription" actions={back} noun="subscription" error={q.error} onRetry={() => q.refetch()} />;

  const mayCancel = canAct && d.actions.cancel.available;
  const mayResume = canAct && d.actions.resume.available;
  // why an action is not offered: said once, and only to those who could otherwise take it.
  // Resume is only worth explaining while a cancel at the end of the period is pending.
  const notOffered = canAct
    ? [...new Set([d.actions.cancel.reason, d.cancelAtPeriodEnd ? d.actions.resume.reason : null].filter((r): r is string => !!r))]
    : [];
  const style = SUBSCRIPTION_STATUS_STYLE[d.status];
  const ending = d.cancelAtPeriodEnd && d.status !== "canceled" && d.status !== "incomplete_expired";

  return (
    <>
      <PageHeader
        title={`Subscription: ${d.plan}`}
        description={
          <>
            {amountPerInterval(d)} · created {formatDateTime(d.createdAt)}
            {d.createdBy ? ` by ${d.createdBy}` : ""}
          </>
        }
        actions={
          <>
            {back}
            <Button variant="outline" onClick={() => check.mutate()} disabled={check.isPending || !d.providerSubscriptionId}>
              {check.isPending ? <Loader2 className="animate-spin" /> : <RefreshCw />} Check status
            </Button>
            {mayResume && (
              <Button variant="outline" onClick={() => resume.mutate()} disabled={resume.isPending}>
                {resume.isPending ? <Loader2 className="animate-spin" /> : <Play />} Resume
              </Button>
            )}
            {mayCancel && (
              <Button variant="destructive" onClick={() => setCanceling(true)}>
                <XCircle /> Cancel subscription
              </Button>
            )}
          </>
        }
      />

      {notOffered.length > 0 && (
        <p className="text-muted-foreground mb-4 text-sm" data-testid="actions-not-offered">
          {notOffered.join(". ")}.
        </p>
      )}
      {!canAct && (
        <p className="text-muted-foreground mb-4 text-sm" data-testid="actions-not-offered">
          Your role can see subscriptions; canceling or resuming one needs an administrator or dispatcher.
        </p>
      )}

      {returned && d.status === "incomplete" && (
        <Alert className="mb-4" role="status">
          <Loader2 className="animate-spin" />
          <AlertTitle>Back from the approval page: waiting for the provider&apos;s confirmation</AlertTitle>
          <AlertDescription>It turns Active when the provider confirms the first payment. This page updates by itself.</AlertDescription>
        </Alert>
      )}
      {returned && (d.status === "active" || d.status === "past_due") && (
        <Alert variant="success" className="mb-4" role="status">
          <CheckCircle2 />
          <AlertTitle>Back from the approval page: the provider confirmed the subscription</AlertTitle>
        </Alert>
      )}
      {leftCheckout && d.status === "incomplete" && (
        <Alert variant="warning" className="mb-4" role="status">
          <AlertTitle>The payer left the approval page without paying</AlertTitle>
          <AlertDescription>The link still works until the provider expires it.</AlertDescription>
        </Alert>
      )}
      {ending && (
        <Alert variant="warning" className="mb-4" role="status" data-testid="ends-with-period">
          <AlertTitle>Ends with the current period{d.currentPeriodEnd ? `, on ${formatDay(d.currentPeriodEnd)}` : ""}</AlertTitle>
          <AlertDescription>No further charges. {mayResume ? "Resume keeps it renewing as before." : ""}</AlertDescription>
        </Alert>
      )}
      {d.status === "past_due" && (
        <Alert variant="destructive" className="mb-4">
          <AlertTitle>The last renewal was not paid</AlertTitle>
          <AlertDescription>
            {d.failedCharges > 1 ? `${d.failedCharges} charges failed in a row. ` : ""}
            {d.billing === "merchant"
              ? `Switchboard tries again${d.nextChargeAt ? ` on ${formatDateTime(d.nextChargeAt)}` : ""}; it is canceled if the retries fail.`
              : `${d.providerName} retries the payment on its own schedule.`}
          </AlertDescription>
        </Alert>
      )}

      <div className="grid gap-4 lg:grid-cols-[2fr_3fr]">
        <Card>
          <CardHeader>
            <CardTitle className="flex flex-wrap items-center gap-2 text-base">
              <span className="text-2xl font-semibold tabular-nums">{d.amount}</span>
              <span data-testid="subscription-status">
                <SubscriptionStatusBadge status={d.status} />
              </span>
            </CardTitle>
            <p className="text-muted-foreground text-sm" data-testid="subscription-status-means">
              {style.means}
            </p>
          </CardHeader>
          <CardContent>
            <dl className="grid grid-cols-[max-content_1fr] gap-x-4 gap-y-2 text-sm">
              <dt className="text-muted-foreground">Plan</dt>
              <dd>{d.plan}</dd>
              <dt className="text-muted-foreground">Charged</dt>
              <dd className="tabular-nums" data-testid="subscription-amount">
                {amountPerInterval(d)}
              </dd>
              <dt className="text-muted-foreground">Current period</dt>
              <dd data-testid="subscription-period">{periodText(d)}</dd>
              <dt className="text-muted-foreground">At the period&apos;s end</dt>
              <dd data-testid="subscription-renewal">
                {d.status === "canceled"
                  ? `Canceled ${formatDateTime(d.canceledAt)}`
                  : d.status === "incomplete_expired"
                    ? "Never started"
                    : d.cancelAtPeriodEnd
                      ? "Ends: no renewal"
                      : d.status === "incomplete"
                        ? "Starts when the first payment is made"
                        : "Renews"}
              </dd>
              {d.billing === "merchant" && d.nextChargeAt && d.status !== "canceled" && (
                <>
                  <dt className="text-muted-foreground">Next charge</dt>
                  <dd>{formatDateTime(d.nextChargeAt)}</dd>
                </>
              )}
              <dt className="text-muted-foreground">Renewals billed by</dt>
              <dd>{d.billing === "merchant" ? "Switchboard, with the payer's saved payment method" : d.providerName}</dd>
              <dt className="text-muted-foreground">Provider</dt>
              <dd>
                <ProviderCell p={d} />
              </dd>
              <dt className="text-muted-foreground">Provider says</dt>
              <dd className="font-mono text-xs">{d.providerStatus ?? "—"}</dd>
              <dt className="text-muted-foreground">Payer</dt>
              <dd>{d.customerEmail ?? "—"}</dd>
            </dl>
          </CardContent>
        </Card>

        <Card>
          <CardHeader>
            <CardTitle className="text-base">Approval link and ids</CardTitle>
          </CardHeader>
          <CardContent className="grid gap-3">
            {d.paymentUrl && d.status === "incomplete" ? (
              <div className="grid gap-1.5">
                <div className="flex items-center justify-between gap-2">
                  <p className="text-sm font-medium">Send this link to the payer</p>
                  <Button variant="link" size="sm" className="h-auto p-0" asChild>
                    <a href={d.paymentUrl} target="_blank" rel="noopener noreferrer">
                      <ExternalLink /> Open approval page
                    </a>
                  </Button>
                </div>
                <CopyField value={d.paymentUrl} label="Approval link" testId="subscription-link" />
              </div>
            ) : (
              <p className="text-muted-foreground text-sm">
                {d.status === "incomplete" ? "No approval page: the provider gave none." : "The payer has approved it: no link to send."}
              </p>
            )}
            <dl className="grid grid-cols-[max-content_1fr] gap-x-4 gap-y-1 text-xs">
              <Id label="Subscription id" value={d.id} />
              <Id label="Provider subscription" value={d.providerSubscriptionId} />
              <Id label="Provider customer" value={d.providerCustomerId} />
              <Id label="Provider plan" value={d.providerPlanId} />
              <Id label="Application" value={d.applicationId} />
            </dl>
          </CardContent>
        </Card>
      </div>

      <section aria-labelledby="s-charges-h" className="mt-6">
        <h2 id="s-charges-h" className="mb-2 text-base font-semibold">
          Charges
        </h2>
        <Charges charges={d.charges} />
      </section>

      <section aria-labelledby="s-timeline-h" className="mt-6">
        <h2 id="s-timeline-h" className="mb-2 text-base font-semibold">
          Timeline
        </h2>
        <Timeline entries={d.history} />
      </section>

      <section aria-labelledby="s-calls-h" className="mt-6">
        <h2 id="s-calls-h" className="mb-2 text-base font-semibold">
          Provider calls
        </h2>
        <ProviderCalls logs={d.logs} />
      </section>

      {mayCancel && <CancelDialog s={d} open={canceling} onOpenChange={setCanceling} onDone={(n, atEnd) => settle(n, atEnd ? "It ends with the current period" : "Subscription canceled")} />}
    </>
  );
}

function Id({ label, value }: { label: string; value: string | null }) {
  if (!value) return null;
  return (
    <>
      <dt className="text-muted-foreground">{label}</dt>
      <dd className="font-mono break-all">{value}</dd>
    </>
  );
}

/** Cancel: now, or at the end of the period paid for; each choice says what it does. */
function CancelDialog({ s, open, onOpenChange, onDone }: { s: Detail; open: boolean; onOpenChange: (o: boolean) => void; onDone: (d: Detail, atPeriodEnd: boolean) => void }) {
  // at the end of the period: only for a subscription that has a period and does not already end with it
  const endOffered = s.status !== "incomplete" && !s.cancelAtPeriodEnd;
  const [atPeriodEnd, setAtPeriodEnd] = React.useState(endOffered);
  React.useEffect(() => {
    if (open) setAtPeriodEnd(endOffered);
  }, [open, endOffered]);
  const cancel = useMutation({
    mutationFn: (atEnd: boolean) => api<Detail>(`/api/v1/payments/subscriptions/${s.id}/cancel`, { method: "POST", json: { atPeriodEnd: atEnd } }),
    onSuccess: (d, atEnd) => {
      onOpenChange(false);
      onDone(d, atEnd);
    },
  });
  const end = s.currentPeriodEnd ? formatDay(s.currentPeriodEnd) : null;
  const choices = [
    ...(endOffered
      ? [
          {
            value: true,
            label: end ? `At the end of the period (${end})` : "At the end of the period",
            says: `The payer keeps what was paid for until ${end ?? "the period ends"}; there are no further charges. Until then you can resume it.`,
          },
        ]
      : []),
    {
      value: false,
      label: "Now",
      says:
        s.status === "incomplete"
          ? "The approval link stops working and nothing is charged."
          : "It ends at once: no further charges, and it cannot be resumed. Payments already made are not refunded by this; refund them from their pages if needed.",
    },
  ];
  return (
    <Dialog
      open={open}
      onOpenChange={(o) => {
        if (!cancel.isPending) {
          cancel.reset();
          onOpenChange(o);
        }
      }}
    >
      <DialogContent className="sm:max-w-lg">
        <DialogHeader>
          <DialogTitle>Cancel subscription</DialogTitle>
          <DialogDescription>
            {s.plan}, {amountPerInterval(s)}
            {s.customerEmail ? ` for ${s.customerEmail}` : ""}. When should it end?
          </DialogDescription>
        </DialogHeader>
        <form
          className="grid gap-4"
          aria-label="Cancel subscription"
          onSubmit={(e) => {
            e.preventDefault();
            if (!cancel.isPending) cancel.mutate(atPeriodEnd);
          }}
        >
          <fieldset className="grid gap-2">
            <legend className="sr-only">When it ends</legend>
            {choices.map((c) => (
              <label
                key={String(c.value)}
                className="has-[:checked]:border-primary has-[:checked]:bg-accent/50 flex cursor-pointer gap-3 rounded-lg border p-3 text-sm"
              >
                <input type="radio" name="cancel-when" className="accent-primary mt-1" checked={atPeriodEnd === c.value} onChange={() => setAtPeriodEnd(c.value)} />
                <span className="grid gap-1">
                  <span className="font-medium">{c.label}</span>
                  <span className="text-muted-foreground">{c.says}</span>
                </span>
              </label>
            ))}
          </fieldset>
          {cancel.isError && (
            <Alert variant="destructive">
              <AlertDescription>Could not cancel it: {(cancel.error as Error).message}</AlertDescription>
            </Alert>
          )}
          <DialogFooter>
            <Button type="button" variant="outline" onClick={() => onOpenChange(false)} disabled={cancel.isPending}>
              Keep it
            </Button>
            <Button type="submit" variant="destructive" disabled={cancel.isPending}>
              {cancel.isPending && <Loader2 className="animate-spin" />}
              {atPeriodEnd ? "Cancel at period end" : "Cancel now"}
            </Button>
          </DialogFooter>
        </form>
      </DialogContent>
    </Dialog>
  );
}

function Charges({ charges }: { charges: SubscriptionCharge[] }) {
  if (!charges.length) return <p className="text-muted-foreground text-sm">No charges yet: the first comes when the payer pays.</p>;
  return (
    <div className="rounded-lg border">
      <Table aria-label="Charges">
        <TableHeader>
          <TableRow>
            <TableHead>Time</TableHead>
            <TableHead className="text-right">Amount</TableHead>
            <TableHead>Status</TableHead>
            <TableHead>Invoice</TableHead>
          </TableRow>
        </TableHeader>
        <TableBody>
          {charges.map((c, i) => (
            <TableRow key={c.id} className="align-top" data-testid="charge-row">
              <TableCell className="whitespace-nowrap">
                <Link href={`/payments/${c.id}`} className="underline-offset-2 hover:underline" aria-label={`Open payment ${c.amount} of ${formatDateTime(c.createdAt)}`}>
                  {formatDateTime(c.createdAt)}
                </Link>
                <span className="text-muted-foreground block text-xs">{i === charges.length - 1 ? "First payment" : "Renewal"}</span>
              </TableCell>
              <TableCell className="text-right font-medium whitespace-nowrap tabular-nums">{c.amount}</TableCell>
              <TableCell>
                <PaymentStatusBadge status={c.status} />
                {c.error && <span className="text-destructive mt-1 block max-w-64 text-xs">{c.error}</span>}
              </TableCell>
              <TableCell>
                <InvoiceLinks c={c} />
              </TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </div>
  );
}

const EVENT_WORDS: Record<string, string> = {
  created: "Created",
  provider_created: "Created at the provider",
  create_failed: "The provider refused to create it",
  charge_succeeded: "Charge paid",
  charge_failed: "Charge failed",
  charge_pending: "Charge started",
  update: "Provider update",
};
const SOURCE_WORDS: Record<string, string> = { api: "from this screen or the API", webhook: "provider event", refresh: "status check", schedule: "scheduled charge", return: "payer's return" };

function eventTitle(h: SubscriptionHistoryEntry) {
  if (EVENT_WORDS[h.event]) return EVENT_WORDS[h.event];
  const s = SUBSCRIPTION_STATUS_STYLE[h.event as SubscriptionStatus];
  if (s) return h.source === "refresh" ? `Status check: ${s.label}` : h.source === "webhook" ? `Provider reported: ${s.label}` : s.label;
  if (h.event.startsWith("charge_")) {
    const p = PAYMENT_STATUS_STYLE[h.event.slice(7) as PaymentStatus];
    if (p) return `Charge: ${p.label}`;
  }
  return h.event.replace(/[_.]/g, " ").replace(/^./, (c) => c.toUpperCase());
}

function Timeline({ entries }: { entries: SubscriptionHistoryEntry[] }) {
  return (
    <TimelineList label="Subscription timeline" empty={!entries.length}>
      {inOrder(entries).map((h, i) => {
        const status = (h.status ?? (h.event in SUBSCRIPTION_STATUS_STYLE ? h.event : null)) as SubscriptionStatus | null;
        const bad = !!h.error || h.event === "create_failed" || h.event === "charge_failed" || status === "past_due";
        return (
          <TimelineEntry
            key={i}
            color={status ? SUBSCRIPTION_STATUS_STYLE[status]?.color : null}
            bad={bad}
            title={eventTitle(h)}
            at={h.at}
            badges={
              <>
                {h.source && <Badge variant="outline">{SOURCE_WORDS[h.source] ?? h.source}</Badge>}
                {h.applied === false && <Badge variant="muted">no change</Badge>}
              </>
            }
          >
            {h.detail && (
              <p className="text-muted-foreground text-xs">
                {h.source === "webhook" || h.source === "refresh" ? `Provider said: ${h.detail}` : h.detail}
              </p>
            )}
            {h.error && <p className="text-destructive text-xs">{h.error}</p>}
            {h.paymentId && (
              <Link href={`/payments/${h.paymentId}`} className="text-xs underline underline-offset-2">
                See the payment
              </Link>
            )}
          </TimelineEntry>
        );
      })}
    </TimelineList>
  );
}
