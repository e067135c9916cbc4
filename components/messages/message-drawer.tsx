"use client";
// One message: recipient, text (e-mail HTML in a sandboxed frame), the delivery timeline in
// the provider's words, the route of integrations, the provider calls, and Resend.
import * as React from "react";
import Link from "next/link";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { toast } from "sonner";
import { Loader2, RotateCw } from "lucide-react";
import { api } from "@/lib/client/api";
import { Button } from "@/components/ui/button";
import { Badge } from "@/components/ui/badge";
import { Skeleton } from "@/components/ui/skeleton";
import { Alert, AlertDescription } from "@/components/ui/alert";
import { Sheet, SheetContent, SheetDescription, SheetHeader, SheetTitle } from "@/components/ui/sheet";
import {
  AlertDialog, AlertDialogAction, AlertDialogCancel, AlertDialogContent, AlertDialogDescription, AlertDialogFooter,
  AlertDialogHeader, AlertDialogTitle, AlertDialogTrigger,
} from "@/components/ui/alert-dialog";
import { Json } from "@/components/logs/logs-table";
import { ProviderCalls } from "@/components/shared/provider-calls";
import { TimelineEntry, TimelineList } from "@/components/shared/timeline";
import { formatDateTime, formatDuration } from "@/lib/format";
import { ChannelIcon, EmailFrame, MessageStatusBadge, STATUS_STYLE, channelLabel } from "@/components/messages/shared";
import type { HistoryEntry, MessageDetail, MessageStatus, QueuedMessage } from "@/lib/messaging/contract";
import { SandboxBadge } from "@/components/integrations/status";

const EVENT_WORDS: Record<string, string> = {
  queued: "Queued",
  sent: "Sent",
  delivered: "Delivered",
  failed: "Failed",
  undelivered: "Undelivered",
  attempt_failed: "Attempt failed",
  retry_scheduled: "Retry scheduled",
  fallback: "Falling back",
  skipped: "Integration skipped",
  token_removed: "Device token removed",
};

function eventTitle(h: HistoryEntry) {
  if (h.source === "provider") return `Provider reported “${h.event}”`;
  return EVENT_WORDS[h.event] ?? h.event;
}

export function formatCost(micros: number | null, currency: string | null) {
  if (micros == null) return null;
  return `${(micros / 1_000_000).toFixed(2)} ${currency ?? ""}`.trim();
}

export function MessageDrawer({ id, canSend, onClose, onOpen }: { id: string | null; canSend: boolean; onClose: () => void; onOpen: (id: string) => void }) {
  const qc = useQueryClient();
  const q = useQuery({
    queryKey: ["messages", "one", id],
    queryFn: () => api<MessageDetail>(`/api/v1/messages/${id}`),
    enabled: !!id,
    // follow it while it is on its way
    refetchInterval: (query) => (query.state.data && ["queued", "sent"].includes(query.state.data.status) ? 1500 : false),
  });
  const resend = useMutation({
    mutationFn: () => api<QueuedMessage>(`/api/v1/messages/${id}/resend`, { method: "POST" }),
    onSuccess: (r) => {
      toast.success("Resend queued: a copy of the message");
      qc.invalidateQueries({ queryKey: ["messages"] });
      onOpen(r.id);
    },
    onError: (e) => toast.error((e as Error).message),
  });
  const d = q.data;
  return (
    <Sheet open={!!id} onOpenChange={(o) => !o && onClose()}>
      <SheetContent aria-describedby={undefined} className="sm:max-w-2xl">
        <SheetHeader>
          <SheetTitle className="flex items-center gap-2">
            {d ? (
              <>
                <ChannelIcon channel={d.channel} decorative /> {channelLabel(d.channel)} to {d.recipient}
              </>
            ) : (
              "Message"
            )}
          </SheetTitle>
          {d && (
            <SheetDescription>
              {formatDateTime(d.createdAt)}
              {d.createdBy ? ` · by ${d.createdBy}` : ""}
              {d.templateKey ? ` · template ${d.templateKey}` : ""}
            </SheetDescription>
          )}
        </SheetHeader>
        <div className="grid gap-5 px-4 pb-6">
          {q.isPending ? (
            <Skeleton className="h-64" />
          ) : q.isError ? (
            <Alert variant="destructive">
              <AlertDescription>
                Could not load the message: {(q.error as Error).message}
                <Button variant="outline" size="sm" onClick={() => q.refetch()}>
                  Try again
                </Button>
              </AlertDescription>
            </Alert>
          ) : (
            <Body d={d!} canSend={canSend} resend={() => resend.mutate()} resending={resend.isPending} />
          )}
        </div>
      </SheetContent>
    </Sheet>
  );
}

function Body({ d, canSend, resend, resending }: { d: MessageDetail; canSend: boolean; resend: () => void; resending: boolean }) {
  const cost = formatCost(d.costMicros, d.costCurrency);
  return (
    <>
      <div className="flex flex-wrap items-center gap-2">
        <span data-testid="message-status">
          <MessageStatusBadge status={d.status} />
        </span>
        <Badge variant="outline">
          {d.attempts} attempt{d.attempts === 1 ? "" : "s"}
        </Badge>
        {d.integration && (
          <Badge variant="outline">
            {d.integration.name} ({d.provider ?? d.integration.provider})
          </Badge>
        )}
        {d.integration?.mode === "sandbox" && (
          <SandboxBadge />
        )}
        {d.pinned && <Badge variant="muted">this integration only</Badge>}
        {d.secret && (
          <Badge variant="muted" title="It carries a one-time code or link: shown masked, never resent">
            one-time secret
          </Badge>
        )}
        {cost && <Badge variant="muted">cost {cost}</Badge>}
      </div>
      {d.error && (
        <Alert variant="destructive">
          <AlertDescription>
            {d.errorCode ? `${d.errorCode}: ` : ""}
            {d.error}
          </AlertDescription>
        </Alert>
      )}
      {d.status === "queued" && d.nextAttemptAt && <p className="text-muted-foreground text-sm">Next attempt {formatDateTime(d.nextAttemptAt)}</p>}

      {canSend && (
        <div className="flex flex-wrap gap-2">
          <AlertDialog>
            <AlertDialogTrigger asChild>
              <Button
                variant="outline"
                disabled={d.status === "queued" || d.secret || resending}
                title={d.status === "queued" ? "Still queued: it will be sent" : d.secret ? "A one-time code or link is not sent again: ask for a new code" : undefined}
              >
                {resending ? <Loader2 className="animate-spin" /> : <RotateCw />} Resend
              </Button>
            </AlertDialogTrigger>
            <AlertDialogContent>
              <AlertDialogHeader>
                <AlertDialogTitle>Send this message again?</AlertDialogTitle>
                <AlertDialogDescription>
                  A copy is queued for {d.recipient}; the recipient gets it a second time. This message keeps its own history.
                </AlertDialogDescription>
              </AlertDialogHeader>
              <AlertDialogFooter>
                <AlertDialogCancel>Cancel</AlertDialogCancel>
                <AlertDialogAction onClick={resend}>Resend</AlertDialogAction>
              </AlertDialogFooter>
            </AlertDialogContent>
          </AlertDialog>
        </div>
      )}

      <section aria-labelledby="m-recipient-h" className="grid gap-1 text-sm">
        <h3 id="m-recipient-h" className="font-medium">
          Recipient
        </h3>
        <p>
          <span className="font-mono">{d.recipient}</span>
          {d.recipientName && <span className="text-muted-foreground"> ({d.recipientName})</span>}
        </p>
        {d.providerMessageId && <p className="text-muted-foreground text-xs">Provider message id: {d.providerMessageId}</p>}
        <p className="text-muted-foreground text-xs">
          Sent {formatDateTime(d.sentAt)} · delivered {formatDateTime(d.deliveredAt)}
        </p>
        {d.relatedType && (
          <p className="text-muted-foreground text-xs">
            Related: {d.relatedType} {d.relatedId}
          </p>
        )}
      </section>

      <section aria-labelledby="m-text-h" className="grid gap-2">
        <h3 id="m-text-h" className="text-sm font-medium">
          Message
        </h3>
        {d.subject && <p className="text-sm font-medium">{d.subject}</p>}
        {d.html ? (
          <>
            <EmailFrame html={d.html} title={`E-mail body: ${d.subject ?? ""}`} />
            <details className="text-sm">
              <summary className="text-muted-foreground cursor-pointer">Text part</summary>
              <p className="bg-muted mt-1 rounded-md p-3 whitespace-pre-wrap">{d.body}</p>
            </details>
          </>
        ) : (
          <p className="bg-muted rounded-md p-3 text-sm whitespace-pre-wrap" data-testid="message-text">
            {d.body}
          </p>
        )}
      </section>

      <section aria-labelledby="m-timeline-h">
        <h3 id="m-timeline-h" className="mb-2 text-sm font-medium">
          Delivery timeline
        </h3>
        <Timeline entries={d.history} />
      </section>

      <section aria-labelledby="m-route-h">
        <h3 id="m-route-h" className="mb-1 text-sm font-medium">
          Route
        </h3>
        {d.routeIntegrations.length === 0 ? (
          <p className="text-muted-foreground text-sm">{d.status === "queued" ? "Not chosen yet: fixed at the first attempt." : "No integration was available."}</p>
        ) : (
          <ol className="grid gap-1 text-sm" aria-label="Integrations tried in order">
            {d.routeIntegrations.map((r, i) => (
              <li key={`${r.id}-${i}`} className="flex items-center gap-2">
                <span className="text-muted-foreground tabular-nums">{i + 1}.</span>
                {r.provider ? (
                  <Link href={`/integrations/${r.id}`} className="hover:underline">
                    {r.name}
                  </Link>
                ) : (
                  <span className="text-muted-foreground">{r.name}</span>
                )}
                {r.provider && <span className="text-muted-foreground text-xs">{r.provider}</span>}
                {i === d.routeIndex && <Badge variant="outline">{d.status === "queued" ? "next" : "last used"}</Badge>}
                {i < d.routeIndex && <Badge variant="muted">gave up</Badge>}
              </li>
            ))}
          </ol>
        )}
      </section>

      <section aria-labelledby="m-calls-h">
        <h3 id="m-calls-h" className="mb-1 text-sm font-medium">
          Provider calls
        </h3>
        <ProviderCalls
          logs={d.logs}
          className="rounded-md border"
          time={(iso) => formatDateTime(iso, { year: undefined, month: undefined, day: undefined })}
          more={(l) =>
            l.response != null && (
              <details className="mt-1">
                <summary className="text-muted-foreground cursor-pointer text-xs">Response</summary>
                <Json value={l.response} />
              </details>
            )
          }
        />
      </section>
    </>
  );
}

function Timeline({ entries }: { entries: HistoryEntry[] }) {
  return (
    <TimelineList label="Delivery timeline" empty={!entries.length}>
      {entries.map((h, i) => {
        const status = (h.status ?? (h.event in STATUS_STYLE ? h.event : null)) as MessageStatus | null;
        const bad = !!h.error || h.event === "failed" || h.event === "attempt_failed" || status === "failed" || status === "undelivered";
        return (
          <TimelineEntry
            key={i}
            color={status ? STATUS_STYLE[status].color : null}
            bad={bad}
            title={eventTitle(h)}
            at={h.at}
            badges={status && h.source === "provider" && <MessageStatusBadge status={status} />}
          >
            <div className="text-muted-foreground flex flex-wrap gap-x-2 text-xs">
              {(h.integration || h.provider) && (
                <span>
                  {h.integration ?? ""}
                  {h.provider ? ` (${h.provider})` : ""}
                </span>
              )}
              {h.attempt !== undefined && <span>attempt {h.attempt}</span>}
              {h.durationMs !== undefined && <span>{formatDuration(h.durationMs)}</span>}
              {h.providerMessageId && <span>id {h.providerMessageId}</span>}
            </div>
            {h.detail && <p className="text-muted-foreground text-xs">{h.detail}</p>}
            {h.error && (
              <p className="text-destructive text-xs">
                {h.code ? `${h.code}: ` : ""}
                {h.error}
              </p>
            )}
            {!h.error && h.code && <p className="text-muted-foreground text-xs">code {h.code}</p>}
          </TimelineEntry>
        );
      })}
    </TimelineList>
  );
}
