"use client";
// One payment: amount and status, provider and ids, the link, the timeline in the order things
// happened (API, the provider's signed events, status checks; a late event that did not move
// the payment back says so), its subscription and invoice when it is a subscription's charge,
// refunds, the provider calls, "Check status" and "Refund" (offered
// only when the payment's provider allows them, from its definition: `actions` in the answer;
// otherwise a line says why, e.g. Payme's refunds are made in Payme's cabinet).
// The payer comes back here from the checkout (?returned=1): the page follows the payment
// every 1.5 s until the provider has confirmed (or refused) it, and every 5 s while it is open
// otherwise. When the provider's notification does not come, the server asks the provider
// itself after a short wait (PAYMENT_STATUS_CHECK_SECONDS), so the page settles either way.
import * as React from "react";
import Link from "next/link";
import { useSearchParams } from "next/navigation";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { toast } from "sonner";
import { ArrowLeft, CheckCircle2, ExternalLink, Loader2, RefreshCw, Undo2 } from "lucide-react";
import { api, ClientApiError } from "@/lib/client/api";
import { PageHeader } from "@/components/layout/app-shell";
import { Button } from "@/components/ui/button";
import { Badge } from "@/components/ui/badge";
import { Alert, AlertDescription, AlertTitle } from "@/components/ui/alert";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { formatDateTime } from "@/lib/format";
import { RefundDialog } from "@/components/payments/refund-dialog";
import { InvoiceLinks } from "@/components/payments/subscriptions-shared";
import { ProviderCalls } from "@/components/shared/provider-calls";
import { DetailLoadError, DetailLoading } from "@/components/shared/detail-states";
import { TimelineEntry, TimelineList, inOrder } from "@/components/shared/timeline";
import { CopyField, OPEN_STATUSES, PAYMENT_STATUS_STYLE, PaymentStatusBadge, ProviderCell, money } from "@/components/payments/shared";
import type { PaymentDetail as Detail, PaymentHistoryEntry, PaymentStatus, Refund } from "@/lib/payments/contract";

const POLL_MS = 1500;
const OPEN_POLL_MS = 5000;

export function PaymentDetail({ id, canRefund }: { id: string; canRefund: boolean }) {
  const qc = useQueryClient();
  const params = useSearchParams();
  const returned = params.get("returned") === "1";
  const canceled = params.get("canceled") === "1";
  const [refunding, setRefunding] = React.useState(false);

  const q = useQuery({
    queryKey: ["payments", "one", id],
    queryFn: () => api<Detail>(`/api/v1/payments/${id}`),
    retry: (n, e) => !(e instanceof ClientApiError && e.status === 404) && n < 2,
    // back from the checkout: follow it closely until the provider has said; otherwise now and then while open
    refetchInterval: (query) => {
      const d = query.state.data;
      if (!d) return false;
      if (OPEN_STATUSES.includes(d.status)) return returned ? POLL_MS : OPEN_POLL_MS;
      return d.refunds.some((r) => r.status === "pending") ? 3000 : false;
    },
  });

  const check = useMutation({
    mutationFn: () => api<Detail>(`/api/v1/payments/${id}?refresh=1`),
    onSuccess: (d) => {
      qc.setQueryData(["payments", "one", id], d);
      qc.invalidateQueries({ queryKey: ["payments", "list"] });
      toast.success(`Checked with the provider: ${PAYMENT_STATUS_STYLE[d.status]?.label ?? d.status}`);
    },
    onError: (e) => toast.error(`Could not check the status: ${(e as Error).message}`),
  });

  const d = q.data;
  const back = (
    <Button variant="outline" asChild>
      <Link href="/payments">
        <ArrowLeft /> Payments
      </Link>
    </Button>
  );

  if (q.isPending) return <DetailLoading title="Payment" actions={back} />;
  if (q.isError || !d) return <DetailLoadError title="Payment" actions={back} noun="payment" error={q.error} onRetry={() => q.refetch()} />;

  const open = OPEN_STATUSES.includes(d.status);
  const mayRefund = canRefund && d.actions.refund.available;
  // why an action is not offered, said once (a viewer who may not refund is not told about refunds)
  const notOffered = [...new Set([canRefund ? d.actions.refund.reason : null, d.actions.checkStatus.reason].filter((r): r is string => !!r))];
  return (
    <>
      <PageHeader
        title={`Payment ${d.amount}`}
        description={
          <>
            {d.description ?? "No description"} · created {formatDateTime(d.createdAt)}
            {d.createdBy ? ` by ${d.createdBy}` : ""}
          </>
        }
        actions={
          <>
            {back}
            {d.actions.checkStatus.available && (
              <Button variant="outline" onClick={() => check.mutate()} disabled={check.isPending || (!d.providerPaymentId && !d.providerCheckoutId)}>
                {check.isPending ? <Loader2 className="animate-spin" /> : <RefreshCw />} Check status
              </Button>
            )}
            {mayRefund && (
              <Button
                variant="destructive"
                onClick={() => setRefunding(true)}
                disabled={d.refundableMinor <= 0}
                title={d.refundableMinor <= 0 ? (d.capturedMinor > 0 ? "Everything has been refunded" : "Only a paid payment can be refunded") : undefined}
              >
                <Undo2 /> Refund
              </Button>
            )}
          </>
        }
      />

      {notOffered.length > 0 && (
        <p className="mb-4 text-sm text-muted-foreground" data-testid="actions-not-offered">
          {notOffered.join(". ")}.
        </p>
      )}

      {returned && open && (
        <Alert className="mb-4" role="status">
          <Loader2 className="animate-spin" />
          <AlertTitle>Back from the checkout: waiting for the provider&apos;s confirmation</AlertTitle>
          <AlertDescription>
            The payment turns Succeeded when the provider confirms it. This page updates by itself; if the provider&apos;s notification does not come,
            Switchboard asks the provider after a few seconds.
          </AlertDescription>
        </Alert>
      )}
      {returned && !open && d.status !== "failed" && d.status !== "canceled" && (
        <Alert variant="success" className="mb-4" role="status">
          <CheckCircle2 />
          <AlertTitle>Back from the checkout: the provider confirmed the payment</AlertTitle>
        </Alert>
      )}
      {canceled && open && (
        <Alert variant="warning" className="mb-4" role="status">
          <AlertTitle>The payer left the checkout without paying</AlertTitle>
          <AlertDescription>The link still works until the provider expires it.</AlertDescription>
        </Alert>
      )}
      {d.error && (
        <Alert variant="destructive" className="mb-4">
          <AlertDescription>{d.error}</AlertDescription>
        </Alert>
      )}

      <div className="grid gap-4 lg:grid-cols-[2fr_3fr]">
        <Card>
          <CardHeader>
            <CardTitle className="flex flex-wrap items-center gap-2 text-base">
              <span className="text-2xl font-semibold tabular-nums">{money(d.amountMinor, d.currency)}</span>
              <span data-testid="payment-status">
                <PaymentStatusBadge status={d.status} />
              </span>
            </CardTitle>
          </CardHeader>
          <CardContent>
            <dl className="grid grid-cols-[max-content_1fr] gap-x-4 gap-y-2 text-sm">
              <dt className="text-muted-foreground">Captured</dt>
              <dd className="tabular-nums">{money(d.capturedMinor, d.currency)}</dd>
              <dt className="text-muted-foreground">Refunded</dt>
              <dd className="tabular-nums" data-testid="payment-refunded">
                {money(d.refundedMinor, d.currency)}
              </dd>
              <dt className="text-muted-foreground">Refundable</dt>
              <dd className="tabular-nums">{money(d.refundableMinor, d.currency)}</dd>
              <dt className="text-muted-foreground">Provider</dt>
              <dd>
                <ProviderCell p={d} />
              </dd>
              <dt className="text-muted-foreground">Provider says</dt>
              <dd className="font-mono text-xs">{d.providerStatus ?? "—"}</dd>
              <dt className="text-muted-foreground">Customer</dt>
              <dd>{d.customerEmail ?? "—"}</dd>
              <dt className="text-muted-foreground">Paid</dt>
              <dd>{formatDateTime(d.succeededAt)}</dd>
              {d.subscriptionId && (
                <>
                  <dt className="text-muted-foreground">Subscription</dt>
                  <dd>
                    <Link href={`/payments/subscriptions/${d.subscriptionId}`} className="underline underline-offset-2" data-testid="payment-subscription">
                      A charge of a subscription: open it
                    </Link>
                  </dd>
                </>
              )}
              {(d.invoiceUrl || d.invoicePdfUrl || d.invoiceId) && (
                <>
                  <dt className="text-muted-foreground">Invoice</dt>
                  <dd>
                    <InvoiceLinks c={d} />
                  </dd>
                </>
              )}
            </dl>
          </CardContent>
        </Card>

        <Card>
          <CardHeader>
            <CardTitle className="text-base">Link and ids</CardTitle>
          </CardHeader>
          <CardContent className="grid gap-3">
            {d.paymentUrl ? (
              <div className="grid gap-1.5">
                <div className="flex items-center justify-between gap-2">
                  <p className="text-sm font-medium">Payment link</p>
                  {open && (
                    <Button variant="link" size="sm" className="h-auto p-0" asChild>
                      <a href={d.paymentUrl} target="_blank" rel="noopener noreferrer">
                        <ExternalLink /> Open payment
                      </a>
                    </Button>
                  )}
                </div>
                <CopyField value={d.paymentUrl} label="Payment link" testId="payment-link" />
              </div>
            ) : (
              <p className="text-muted-foreground text-sm">No payment link (a payment without a hosted page).</p>
            )}
            <dl className="grid grid-cols-[max-content_1fr] gap-x-4 gap-y-1 text-xs">
              <Id label="Payment id" value={d.id} />
              <Id label="Provider payment" value={d.providerPaymentId} />
              <Id label="Checkout" value={d.providerCheckoutId} />
              <Id label="Capture" value={d.providerCaptureId} />
              <Id label="Application" value={d.applicationId} />
            </dl>
          </CardContent>
        </Card>
      </div>

      <section aria-labelledby="p-timeline-h" className="mt-6">
        <h2 id="p-timeline-h" className="mb-2 text-base font-semibold">
          Timeline
        </h2>
        <Timeline entries={d.history} />
      </section>

      <section aria-labelledby="p-refunds-h" className="mt-6">
        <h2 id="p-refunds-h" className="mb-2 text-base font-semibold">
          Refunds
        </h2>
        <Refunds refunds={d.refunds} />
      </section>

      <section aria-labelledby="p-calls-h" className="mt-6">
        <h2 id="p-calls-h" className="mb-2 text-base font-semibold">
          Provider calls
        </h2>
        <ProviderCalls logs={d.logs} />
      </section>

      {mayRefund && <RefundDialog payment={d} open={refunding} onOpenChange={setRefunding} />}
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

const EVENT_WORDS: Record<string, string> = {
  created: "Created",
  provider_created: "Created at the provider",
  create_failed: "The provider refused to create it",
  refund_requested: "Refund requested",
  notification_rejected: "Provider notification refused",
};
const SOURCE_WORDS: Record<string, string> = { api: "API", webhook: "provider event", refresh: "status check", return: "payer's return", sweep: "capture sweep", schedule: "renewal scheduler" };

function eventTitle(h: PaymentHistoryEntry) {
  if (EVENT_WORDS[h.event]) return EVENT_WORDS[h.event];
  const s = PAYMENT_STATUS_STYLE[h.event as PaymentStatus];
  if (s) return h.source === "refresh" || h.source === "sweep" ? `Status check: ${s.label}` : h.source === "webhook" ? `Provider reported: ${s.label}` : s.label;
  return h.event;
}

function Timeline({ entries }: { entries: PaymentHistoryEntry[] }) {
  // newest last: in the order things happened
  return (
    <TimelineList label="Payment timeline" empty={!entries.length}>
      {inOrder(entries).map((h, i) => {
        const status = (h.status ?? (h.event in PAYMENT_STATUS_STYLE ? h.event : null)) as PaymentStatus | null;
        const bad = !!h.error || h.event === "create_failed" || status === "failed";
        return (
          <TimelineEntry
            key={i}
            color={status ? PAYMENT_STATUS_STYLE[status]?.color : null}
            bad={bad}
            title={eventTitle(h)}
            at={h.at}
            badges={
              <>
                {h.source && <Badge variant="outline">{SOURCE_WORDS[h.source] ?? h.source}</Badge>}
                {h.applied === false && <Badge variant="muted">not applied</Badge>}
              </>
            }
          >
            {h.detail && <p className="text-muted-foreground text-xs">{h.detail}</p>}
            {h.note && <p className="text-xs text-warning">{h.note}</p>}
            {h.error && <p className="text-destructive text-xs">{h.error}</p>}
            {h.eventId && <p className="text-muted-foreground font-mono text-xs">event {h.eventId}</p>}
            {h.webhookEventId && (
              <Link href={`/webhooks?event=${h.webhookEventId}`} className="text-xs underline underline-offset-2">
                See the refused notification
              </Link>
            )}
          </TimelineEntry>
        );
      })}
    </TimelineList>
  );
}

const REFUND_BADGE: Record<Refund["status"], { label: string; variant: "success" | "danger" | "muted" }> = {
  pending: { label: "Pending", variant: "muted" },
  succeeded: { label: "Succeeded", variant: "success" },
  failed: { label: "Failed", variant: "danger" },
};

function Refunds({ refunds }: { refunds: Refund[] }) {
  if (!refunds.length) return <p className="text-muted-foreground text-sm">No refunds.</p>;
  return (
    <div className="rounded-lg border">
      <Table aria-label="Refunds">
        <TableHeader>
          <TableRow>
            <TableHead>Time</TableHead>
            <TableHead className="text-right">Amount</TableHead>
            <TableHead>Status</TableHead>
            <TableHead className="hidden md:table-cell">Reason</TableHead>
            <TableHead className="hidden md:table-cell">By</TableHead>
          </TableRow>
        </TableHeader>
        <TableBody>
          {refunds.map((r) => (
            <TableRow key={r.id} className="align-top" data-testid="refund-row">
              <TableCell className="whitespace-nowrap">{formatDateTime(r.createdAt)}</TableCell>
              <TableCell className="text-right font-medium whitespace-nowrap tabular-nums">{money(r.amountMinor, r.currency)}</TableCell>
              <TableCell>
                <Badge variant={REFUND_BADGE[r.status]?.variant ?? "muted"}>{REFUND_BADGE[r.status]?.label ?? r.status}</Badge>
                {r.error && <span className="text-destructive mt-1 block max-w-64 text-xs">{r.error}</span>}
              </TableCell>
              <TableCell className="hidden max-w-64 md:table-cell">{r.reason ?? <span className="text-muted-foreground">—</span>}</TableCell>
              <TableCell className="hidden md:table-cell">{r.createdBy ?? "—"}</TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </div>
  );
}
