"use client";
// What the local provider emulators "delivered": every SMS, WhatsApp, e-mail, push and chat
// message sent through sandbox integrations, newest first, refreshed every 2 s. E-mails are
// rendered in a sandboxed frame with their subject, sender, recipients and attachment names.
import * as React from "react";
import { useQuery } from "@tanstack/react-query";
import { Bell, Inbox, Mail, MessageCircle, MessageSquare, Paperclip, Send, ServerOff, Webhook } from "lucide-react";
import { api, ClientApiError } from "@/lib/client/api";
import { PageHeader } from "@/components/layout/app-shell";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Skeleton } from "@/components/ui/skeleton";
import { Alert, AlertDescription, AlertTitle } from "@/components/ui/alert";
import { EmptyState } from "@/components/ui/empty-state";
import { Tabs, TabsContent, TabsList, TabsTrigger } from "@/components/ui/tabs";
import { Json } from "@/components/logs/logs-table";
import { useUrlFilters } from "@/components/shared/url-filters";
import { formatDateTime } from "@/lib/format";
import { EmailFrame, telegramHtmlToText } from "@/components/messages/shared";
import type { SandboxInbox, SandboxInboxItem as InboxItem } from "@/lib/messaging/contract";

const KINDS = [
  { id: "sms", label: "SMS", Icon: MessageSquare },
  { id: "whatsapp", label: "WhatsApp", Icon: MessageCircle },
  { id: "email", label: "E-mail", Icon: Mail },
  { id: "push", label: "Push", Icon: Bell },
  { id: "chat", label: "Chat", Icon: Send },
] as const;

type Address = string | { email?: string; name?: string } | null | undefined;
type EmailPayload = {
  from?: Address;
  to?: Address[];
  subject?: string | null;
  text?: string | null;
  html?: string | null;
  attachments?: { filename?: string | null }[];
};

const addr = (a: Address) => (!a ? "" : typeof a === "string" ? a : a.name ? `${a.name} <${a.email ?? ""}>` : (a.email ?? ""));

export function SandboxInbox({ canSend }: { canSend: boolean }) {
  const { filters, set } = useUrlFilters("/sandbox", ["kind"] as const);
  const kind = filters.kind ?? "all";
  const q = useQuery({
    queryKey: ["sandbox", "inbox", "all"],
    queryFn: () => api<SandboxInbox>("/api/v1/sandbox/inbox"),
    refetchInterval: 2000,
    retry: false,
  });
  const items = q.data?.items ?? [];
  const count = (k: string) => items.filter((i) => i.kind === k).length;
  const shown = [...(kind === "all" ? items : items.filter((i) => i.kind === kind))].sort((a, b) => b.at.localeCompare(a.at));

  return (
    <>
      <PageHeader
        title="Sandbox inbox"
        description={
          <>
            What the provider sandboxes received from sandbox-mode integrations: nothing here reached a real phone, mailbox or chat.
            {q.data && <span className="ml-1 font-mono text-xs">({q.data.sandboxUrl})</span>}
          </>
        }
      />
      <Tabs value={kind} onValueChange={(v) => set("kind", v === "all" ? null : v)} className="mb-4">
        <TabsList aria-label="Kind of message">
          <TabsTrigger value="all">All {q.data && <span className="tabular-nums">{items.length}</span>}</TabsTrigger>
          {KINDS.map((k) => (
            <TabsTrigger key={k.id} value={k.id}>
              <k.Icon className="size-4" aria-hidden /> {k.label} {q.data && <span className="tabular-nums">{count(k.id)}</span>}
            </TabsTrigger>
          ))}
        </TabsList>
        {/* the tabs' panel: the selected tab's aria-controls names it */}
        <TabsContent value={kind}>
      {q.isError ? (
        (q.error as ClientApiError).status === 503 ? (
          <Alert variant="warning">
            <ServerOff />
            <AlertTitle>The sandbox server is not running</AlertTitle>
            <AlertDescription>
              <p>{(q.error as Error).message}</p>
              <p>This page checks again every 2 seconds.</p>
            </AlertDescription>
          </Alert>
        ) : (
          <Alert variant="destructive">
            <AlertDescription>
              Could not load the inbox: {(q.error as Error).message}
              <Button variant="outline" size="sm" onClick={() => q.refetch()}>
                Try again
              </Button>
            </AlertDescription>
          </Alert>
        )
      ) : q.isPending ? (
        <div className="grid gap-3" aria-label="Loading">
          {Array.from({ length: 4 }, (_, i) => (
            <Skeleton key={i} className="h-24" />
          ))}
        </div>
      ) : shown.length === 0 ? (
        <EmptyState icon={<Inbox />} title={kind === "all" ? "The sandbox inbox is empty" : `No ${KINDS.find((k) => k.id === kind)?.label ?? kind} messages`}>
          {canSend
            ? "Send a test message through a sandbox-mode integration (Messages → Send test message); it shows up here within seconds."
            : "What sandbox-mode integrations send (SMS, email, push, chat) shows up here within seconds."}
        </EmptyState>
      ) : (
        <ol className="grid gap-3" aria-label="Sandbox messages">
          {shown.map((i) => (
            <li key={i.id}>
              <InboxCard item={i} />
            </li>
          ))}
        </ol>
      )}
        </TabsContent>
      </Tabs>
    </>
  );
}

function InboxCard({ item }: { item: InboxItem }) {
  const k = KINDS.find((x) => x.id === item.kind);
  const Icon = k?.Icon ?? Webhook;
  return (
    <article className="bg-card grid gap-2 rounded-lg border p-4" aria-label={`${k?.label ?? item.kind} to ${item.to}`} data-testid="inbox-item">
      <header className="flex flex-wrap items-center gap-2 text-sm">
        <Icon className="text-muted-foreground size-4" aria-hidden />
        <Badge variant="outline">{k?.label ?? item.kind}</Badge>
        <span className="text-muted-foreground text-xs">{item.provider}</span>
        <span className="font-mono text-xs">to {item.to}</span>
        <span className="text-muted-foreground ml-auto text-xs whitespace-nowrap">{formatDateTime(item.at)}</span>
      </header>
      {item.kind === "email" ? <EmailBody item={item} /> : <TextBody item={item} />}
      <details className="text-sm">
        <summary className="text-muted-foreground cursor-pointer text-xs">What the sandbox received</summary>
        <Json value={item.payload} />
      </details>
    </article>
  );
}

function EmailBody({ item }: { item: InboxItem }) {
  const p = (item.payload ?? {}) as EmailPayload;
  const subject = p.subject ?? item.summary;
  const files = (p.attachments ?? []).map((a) => a.filename).filter(Boolean) as string[];
  return (
    <div className="grid gap-2">
      <p className="font-medium">{subject || "(no subject)"}</p>
      <dl className="text-muted-foreground grid grid-cols-[auto_1fr] gap-x-3 text-xs">
        <dt>From</dt>
        <dd className="break-all">{addr(p.from) || "—"}</dd>
        <dt>To</dt>
        <dd className="break-all">{(p.to ?? []).map(addr).filter(Boolean).join(", ") || item.to}</dd>
      </dl>
      {files.length > 0 && (
        <ul className="flex flex-wrap gap-1" aria-label="Attachments">
          {files.map((f, n) => (
            <li key={`${f}-${n}`}>
              <Badge variant="muted">
                <Paperclip aria-hidden /> {f}
              </Badge>
            </li>
          ))}
        </ul>
      )}
      {p.html ? (
        <EmailFrame html={p.html} title={`E-mail body: ${subject ?? ""}`} />
      ) : (
        <p className="bg-muted rounded-md p-3 text-sm whitespace-pre-wrap">{p.text ?? ""}</p>
      )}
    </div>
  );
}

/** The text of an SMS, WhatsApp, push or chat message, wherever its emulator keeps it. */
function textOf(item: InboxItem): { title?: string; text: string } {
  const p = (item.payload ?? {}) as Record<string, unknown>;
  if (item.kind === "push") {
    const m = (p.message ?? {}) as { notification?: { title?: string; body?: string }; data?: Record<string, string> };
    return { title: m.notification?.title, text: m.notification?.body ?? item.summary };
  }
  if (item.kind === "chat") return { text: telegramHtmlToText(String(p.text ?? item.summary)) };
  return { text: String(p.msg ?? p.body ?? p.text ?? item.summary) };
}

function TextBody({ item }: { item: InboxItem }) {
  const t = textOf(item);
  return (
    <div className="bg-muted rounded-md p-3 text-sm">
      {t.title && <p className="font-medium">{t.title}</p>}
      <p className="whitespace-pre-wrap">{t.text}</p>
    </div>
  );
}
