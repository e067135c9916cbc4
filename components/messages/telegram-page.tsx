"use client";
// Linking the signed-in user's Telegram account to the bot: a one-time code sent to the bot as
// /start CODE, watched every 2 s until the bot confirms. A bot running against the sandbox has
// no Telegram app to write from, so a small simulator plays the Telegram user and shows the
// bot's replies from the sandbox inbox.
import * as React from "react";
import Link from "next/link";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { toast } from "sonner";
import { Bot, Check, CircleCheck, Copy, ExternalLink, FlaskConical, Loader2, Plus, Send, Unlink } from "lucide-react";
import { api, ClientApiError } from "@/lib/client/api";
import { PageHeader } from "@/components/layout/app-shell";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { Badge } from "@/components/ui/badge";
import { Skeleton } from "@/components/ui/skeleton";
import { Alert, AlertDescription, AlertTitle } from "@/components/ui/alert";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import {
  AlertDialog, AlertDialogAction, AlertDialogCancel, AlertDialogContent, AlertDialogDescription, AlertDialogFooter,
  AlertDialogHeader, AlertDialogTitle, AlertDialogTrigger,
} from "@/components/ui/alert-dialog";
import { formatDateTime } from "@/lib/format";
import { telegramHtmlToText } from "@/components/messages/shared";
import type { SandboxChat, SandboxInbox, SandboxTelegramSent, TelegramLinkCode, TelegramLinkStatus, TelegramUnlinked } from "@/lib/messaging/contract";


function useNow(active: boolean) {
  const [now, setNow] = React.useState(() => Date.now());
  React.useEffect(() => {
    if (!active) return;
    const t = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(t);
  }, [active]);
  return now;
}

function countdown(ms: number) {
  const s = Math.max(0, Math.ceil(ms / 1000));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
}

export function TelegramPage({ canSimulate, canAddIntegration }: { canSimulate: boolean; canAddIntegration: boolean }) {
  const qc = useQueryClient();
  const [code, setCode] = React.useState<TelegramLinkCode | null>(null);
  const [noBot, setNoBot] = React.useState<string | null>(null);
  const now = useNow(!!code);
  const expired = !!code && new Date(code.expiresAt).getTime() <= now;
  const waiting = !!code && !expired;

  const status = useQuery({
    queryKey: ["telegram", "link"],
    queryFn: () => api<TelegramLinkStatus>("/api/v1/telegram/link"),
    // watch for the bot's confirmation while a code is out
    refetchInterval: waiting ? 2000 : false,
  });
  const sim = useQuery({ queryKey: ["sandbox", "telegram"], queryFn: () => api<SandboxChat>("/api/v1/sandbox/telegram"), enabled: canSimulate });

  const linked = status.data?.linked ?? false;
  React.useEffect(() => {
    if (linked && code) {
      toast.success("Telegram linked");
      setCode(null);
    }
  }, [linked, code]);

  const start = useMutation({
    mutationFn: () => api<TelegramLinkCode>("/api/v1/telegram/link", { method: "POST", json: {} }),
    onMutate: () => setNoBot(null),
    onSuccess: (c) => {
      setCode(c);
      qc.invalidateQueries({ queryKey: ["sandbox", "telegram"] });
    },
    onError: (e) => {
      if (e instanceof ClientApiError && e.status === 422) setNoBot(e.message);
      else toast.error((e as Error).message);
    },
  });
  const unlink = useMutation({
    mutationFn: () => api<TelegramUnlinked>("/api/v1/telegram/link", { method: "DELETE" }),
    onSuccess: () => {
      toast.success("Telegram unlinked");
      qc.invalidateQueries({ queryKey: ["telegram", "link"] });
    },
    onError: (e) => toast.error((e as Error).message),
  });

  const bot = sim.data?.integration;
  const sandboxBot = code ? code.bot.sandbox : bot?.mode === "sandbox";

  return (
    <>
      <PageHeader title="Telegram" description="Link your Telegram account to the bot: it then answers your commands (/status, /today, /drivers …) with what your role may see." />
      <div className="grid gap-4 lg:grid-cols-2">
        <Card>
          <CardHeader>
            <CardTitle className="flex items-center gap-2 text-base">
              <Bot className="size-4" aria-hidden /> Your Telegram account
            </CardTitle>
            <CardDescription>{bot ? `Bot: ${bot.name}${bot.username ? ` (@${bot.username})` : ""}` : "One account per user; a chat belongs to one account."}</CardDescription>
          </CardHeader>
          <CardContent className="grid gap-4">
            {status.isPending ? (
              <Skeleton className="h-24" />
            ) : status.isError ? (
              <Alert variant="destructive">
                <AlertDescription>
                  Could not load your link: {(status.error as Error).message}
                  <Button variant="outline" size="sm" onClick={() => status.refetch()}>
                    Try again
                  </Button>
                </AlertDescription>
              </Alert>
            ) : linked ? (
              <div className="grid gap-3">
                <div className="flex items-center gap-2">
                  <CircleCheck className="size-5 text-emerald-600" aria-hidden />
                  <Badge variant="success" data-testid="telegram-status">
                    Linked
                  </Badge>
                </div>
                <p className="text-sm">
                  Linked as <span className="font-medium">{status.data.username ? `@${status.data.username}` : "a Telegram user"}</span> since {formatDateTime(status.data.linkedAt)}.
                </p>
                <p className="text-muted-foreground text-sm">Send /help to the bot for the commands your role has.</p>
                <div>
                  <AlertDialog>
                    <AlertDialogTrigger asChild>
                      <Button variant="outline" disabled={unlink.isPending}>
                        {unlink.isPending ? <Loader2 className="animate-spin" /> : <Unlink />} Unlink
                      </Button>
                    </AlertDialogTrigger>
                    <AlertDialogContent>
                      <AlertDialogHeader>
                        <AlertDialogTitle>Unlink your Telegram account?</AlertDialogTitle>
                        <AlertDialogDescription>The bot stops answering that chat until you link again with a new code.</AlertDialogDescription>
                      </AlertDialogHeader>
                      <AlertDialogFooter>
                        <AlertDialogCancel>Keep it</AlertDialogCancel>
                        <AlertDialogAction variant="destructive" onClick={() => unlink.mutate()}>
                          Unlink
                        </AlertDialogAction>
                      </AlertDialogFooter>
                    </AlertDialogContent>
                  </AlertDialog>
                </div>
              </div>
            ) : code ? (
              <div className="grid gap-3">
                <Badge variant={expired ? "danger" : "warning"} data-testid="telegram-status">
                  {expired ? "Code expired" : "Waiting for the bot"}
                </Badge>
                <p className="text-sm">
                  Send this to {code.bot.username ? <span className="font-medium">@{code.bot.username}</span> : <span className="font-medium">{code.bot.name}</span>} in Telegram:
                </p>
                <div className="flex flex-wrap items-center gap-2">
                  <code className="bg-muted rounded-md px-3 py-2 font-mono text-2xl font-semibold tracking-wider" data-testid="link-command">
                    {code.command}
                  </code>
                  <CopyButton value={code.command} />
                </div>
                {code.deepLink && !code.bot.sandbox && (
                  <Button variant="outline" asChild className="w-fit">
                    <a href={code.deepLink} target="_blank" rel="noreferrer">
                      <ExternalLink /> Open @{code.bot.username} in Telegram
                    </a>
                  </Button>
                )}
                {code.deepLink && code.bot.sandbox && <p className="text-muted-foreground text-xs">Deep link (real Telegram only): {code.deepLink}</p>}
                {expired ? (
                  <p className="text-destructive text-sm">The code expired unused.</p>
                ) : (
                  <p className="text-muted-foreground flex items-center gap-2 text-sm" aria-live="off">
                    <Loader2 className="size-3.5 animate-spin" aria-hidden /> Waiting for the bot… the code expires in{" "}
                    <span className="tabular-nums" data-testid="link-countdown">
                      {countdown(new Date(code.expiresAt).getTime() - now)}
                    </span>
                  </p>
                )}
                <div>
                  <Button variant="outline" onClick={() => start.mutate()} disabled={start.isPending}>
                    {start.isPending && <Loader2 className="animate-spin" />} {expired ? "Get a new code" : "New code"}
                  </Button>
                </div>
              </div>
            ) : (
              <div className="grid gap-3">
                <Badge variant="muted" data-testid="telegram-status">
                  Not linked
                </Badge>
                <p className="text-muted-foreground text-sm">You get a one-time code to send to the bot; it is valid for 10 minutes.</p>
                {noBot && (
                  <Alert variant="destructive">
                    <AlertTitle>No Telegram bot</AlertTitle>
                    <AlertDescription>
                      <p>{noBot}</p>
                      {canAddIntegration ? (
                        <Button variant="outline" size="sm" asChild>
                          <Link href="/integrations/new">
                            <Plus /> Add a Telegram integration
                          </Link>
                        </Button>
                      ) : (
                        <p>Ask an admin to add one on the Integrations page.</p>
                      )}
                    </AlertDescription>
                  </Alert>
                )}
                <div>
                  <Button onClick={() => start.mutate()} disabled={start.isPending}>
                    {start.isPending ? <Loader2 className="animate-spin" /> : <Send />} Link Telegram
                  </Button>
                </div>
              </div>
            )}
          </CardContent>
        </Card>

        {canSimulate && sandboxBot && sim.data && (
          <Simulator chatId={sim.data.chatId} integrationId={bot?.id} botName={code?.bot.name ?? bot?.name ?? "The bot"} suggested={code?.command} />
        )}
      </div>
    </>
  );
}

function CopyButton({ value }: { value: string }) {
  const [copied, setCopied] = React.useState(false);
  return (
    <Button
      type="button"
      variant="outline"
      aria-label="Copy the command"
      onClick={async () => {
        try {
          await navigator.clipboard.writeText(value);
          setCopied(true);
          setTimeout(() => setCopied(false), 2000);
        } catch {
          toast.error("The clipboard is not available here: select the command and copy it");
        }
      }}
    >
      {copied ? <Check /> : <Copy />} {copied ? "Copied" : "Copy"}
    </Button>
  );
}

function Simulator({ chatId, integrationId, botName, suggested }: { chatId: number; integrationId?: string; botName: string; suggested?: string }) {
  const [text, setText] = React.useState(suggested ?? "/help");
  const [note, setNote] = React.useState<string | null>(null);
  React.useEffect(() => {
    if (suggested) setText(suggested);
  }, [suggested]);

  const replies = useQuery({
    queryKey: ["sandbox", "inbox", "telegram"],
    queryFn: () => api<SandboxInbox>("/api/v1/sandbox/inbox?provider=telegram"),
    refetchInterval: 2000,
  });
  const mine = (replies.data?.items ?? []).filter((i) => i.to === String(chatId)).slice(0, 5);

  const send = useMutation({
    mutationFn: () => api<SandboxTelegramSent>("/api/v1/sandbox/telegram", { method: "POST", json: { text, ...(integrationId ? { integrationId } : {}) } }),
    onMutate: () => setNote(null),
    onSuccess: (r) => {
      if (!r.delivered) setNote(r.note ?? "The sandbox could not deliver it to the bot");
      else toast.success(`Sent to ${botName}`);
    },
    onError: (e) => setNote((e as Error).message),
  });

  return (
    <Card>
      <CardHeader>
        <CardTitle className="flex items-center gap-2 text-base">
          <FlaskConical className="size-4" aria-hidden /> Simulate in sandbox
        </CardTitle>
        <CardDescription>
          {botName} runs against the sandbox, which has no Telegram app: write to the bot from here as a Telegram user (chat {chatId}).
        </CardDescription>
      </CardHeader>
      <CardContent className="grid gap-4">
        <form
          className="flex flex-col gap-2 sm:flex-row sm:items-end"
          onSubmit={(e) => {
            e.preventDefault();
            send.mutate();
          }}
        >
          <div className="grid flex-1 gap-1.5">
            <Label htmlFor="tg-sim-text">Message to the bot</Label>
            <Input id="tg-sim-text" value={text} onChange={(e) => setText(e.target.value)} className="font-mono" autoComplete="off" />
          </div>
          <Button type="submit" disabled={send.isPending || !text.trim()}>
            {send.isPending ? <Loader2 className="animate-spin" /> : <Send />} Send as a Telegram user
          </Button>
        </form>
        {note && (
          <Alert variant="warning">
            <AlertDescription>{note}</AlertDescription>
          </Alert>
        )}
        <section aria-labelledby="tg-replies-h" className="grid gap-2">
          <h3 id="tg-replies-h" className="text-sm font-medium">
            Bot replies
          </h3>
          {replies.isError ? (
            <p className="text-destructive text-sm">{(replies.error as Error).message}</p>
          ) : replies.isPending ? (
            <Skeleton className="h-16" />
          ) : mine.length === 0 ? (
            <p className="text-muted-foreground text-sm">No replies to this chat yet.</p>
          ) : (
            <ol className="grid gap-2" aria-label="Bot replies" data-testid="bot-replies">
              {mine.map((r) => (
                <li key={r.id} className="bg-muted rounded-md p-3 text-sm">
                  <p className="text-muted-foreground mb-1 text-xs">{formatDateTime(r.at)}</p>
                  <p className="whitespace-pre-wrap">{telegramHtmlToText(String((r.payload as { text?: unknown })?.text ?? r.summary))}</p>
                </li>
              ))}
            </ol>
          )}
        </section>
      </CardContent>
    </Card>
  );
}
