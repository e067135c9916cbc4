"use client";
// The OAuth connection of an integration: who is connected, when the token expires, and the
// one-click Connect / Reconnect / Disconnect. Connect is a full navigation to
// /api/oauth/<provider>/start: the provider's consent page, then back here with ?oauth=….
import * as React from "react";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { AlertTriangle, Link2, Link2Off, Loader2, RotateCcw } from "lucide-react";
import { toast } from "sonner";
import { api } from "@/lib/client/api";
import { Button } from "@/components/ui/button";
import { Badge } from "@/components/ui/badge";
import { Skeleton } from "@/components/ui/skeleton";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Alert, AlertDescription, AlertTitle } from "@/components/ui/alert";
import {
  AlertDialog,
  AlertDialogAction,
  AlertDialogCancel,
  AlertDialogContent,
  AlertDialogDescription,
  AlertDialogFooter,
  AlertDialogHeader,
  AlertDialogTitle,
  AlertDialogTrigger,
} from "@/components/ui/alert-dialog";
import { CopyOnce } from "@/components/users/copy-once";
import type { Integration, OAuthConnection, OAuthDisconnected } from "@/lib/integrations/contract";
import { formatDateTime, timeAgo } from "@/lib/format";

function Row({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <div className="grid grid-cols-3 gap-2 py-1.5 text-sm">
      <dt className="text-muted-foreground">{label}</dt>
      <dd className="col-span-2 min-w-0 break-words">{children}</dd>
    </div>
  );
}

export function OAuthCard({ integration, canConnect, onChanged }: { integration: Integration; canConnect: boolean; onChanged: () => void }) {
  const qc = useQueryClient();
  const router = useRouter();
  const pathname = usePathname();
  const params = useSearchParams();
  const oauth = integration.oauth!;
  const key = ["integration", integration.id, "oauth"];
  const status = useQuery({ queryKey: key, queryFn: () => api<OAuthConnection>(`/api/v1/integrations/${integration.id}/oauth`), refetchInterval: 30_000 });
  const [notice, setNotice] = React.useState<{ ok: boolean; message: string } | null>(null);
  const changed = React.useRef(onChanged);
  changed.current = onChanged;
  const handled = React.useRef<string | null>(null);

  // the provider sent the admin back here: say how it went once, then clean the address bar
  React.useEffect(() => {
    const ok = params.get("oauth");
    const err = params.get("oauth_error");
    if (!ok && !err) return;
    if (handled.current === params.toString()) return;
    handled.current = params.toString();
    const n = err ? { ok: false, message: err } : { ok: true, message: params.get("oauth_message") ?? "Connected" };
    setNotice(n);
    if (n.ok) toast.success(n.message);
    else toast.error("Connection failed", { description: n.message });
    router.replace(pathname, { scroll: false });
    changed.current();
    void qc.invalidateQueries({ queryKey: ["integration", integration.id, "oauth"] });
  }, [params, pathname, router, qc, integration.id]);

  const disconnect = useMutation({
    mutationFn: () => api<OAuthDisconnected>(`/api/v1/integrations/${integration.id}/oauth`, { method: "DELETE" }),
    onSuccess: (r) => {
      if (r.revoked === false) toast.warning(r.message);
      else toast.success(r.message);
      setNotice(null);
      qc.setQueryData(key, r);
      onChanged();
    },
    onError: (e) => toast.error("Could not disconnect", { description: (e as Error).message }),
  });

  const connectHref = `/api/oauth/${encodeURIComponent(integration.provider)}/start?integrationId=${integration.id}`;
  const s = status.data;
  const serverToServer = oauth.grant === "client_credentials";

  return (
    <Card data-testid="oauth-card">
      <CardHeader>
        <CardTitle className="flex items-center gap-2">
          Authorization
          {s && (
            <Badge variant={s.status === "connected" ? "success" : s.status === "needs_reconnect" ? "danger" : "muted"} data-testid="oauth-status">
              {s.status === "connected" ? "Connected" : s.status === "needs_reconnect" ? "Needs reconnect" : serverToServer ? "No token yet" : "Not connected"}
            </Badge>
          )}
        </CardTitle>
        <CardDescription>
          {serverToServer
            ? `Server-to-server OAuth: a token is fetched with the client credentials when needed and shared by every process.`
            : `OAuth 2.0 with PKCE: an admin signs in at ${integration.providerName} once; tokens are stored encrypted and refreshed before they expire.`}
        </CardDescription>
      </CardHeader>
      <CardContent className="grid gap-3">
        {notice && (
          <Alert variant={notice.ok ? "success" : "destructive"} data-testid="oauth-notice">
            <AlertTitle>{notice.ok ? "Connected" : "Not connected"}</AlertTitle>
            <AlertDescription>{notice.message}</AlertDescription>
          </Alert>
        )}
        {status.isPending ? (
          <Skeleton className="h-24 w-full" />
        ) : status.isError ? (
          <Alert variant="destructive">
            <AlertTitle>Could not load the connection</AlertTitle>
            <AlertDescription>{(status.error as Error).message}</AlertDescription>
          </Alert>
        ) : (
          <>
            {s?.status === "needs_reconnect" && (
              <Alert variant="destructive" data-testid="oauth-needs-reconnect">
                <AlertTriangle />
                <AlertTitle>{integration.providerName} no longer accepts the saved authorization</AlertTitle>
                <AlertDescription>{s.lastError ?? "Connect again to resume."}</AlertDescription>
              </Alert>
            )}
            <dl>
              {s?.status !== "disconnected" && (
                <>
                  <Row label="Account">{s?.accountName ?? s?.accountId ?? "—"}</Row>
                  {s?.scope && (
                    <Row label="Scope">
                      <span className="font-mono text-xs">{s.scope}</span>
                    </Row>
                  )}
                  <Row label="Access token">{s?.expiresAt ? `expires ${timeAgo(s.expiresAt)} (${formatDateTime(s.expiresAt)})` : "no expiry given"}</Row>
                  {!serverToServer && <Row label="Refresh token">{s?.hasRefreshToken ? (s.refreshTokenExpiresAt ? `expires ${timeAgo(s.refreshTokenExpiresAt)}` : "kept, no expiry") : "none"}</Row>}
                  <Row label="Last refresh">{s?.refreshedAt ? timeAgo(s.refreshedAt) : "—"}</Row>
                </>
              )}
              {!serverToServer && (
                <Row label="Redirect URI">
                  <CopyOnce value={oauth.redirectUri} label="Redirect URI" />
                </Row>
              )}
            </dl>
            {canConnect && !serverToServer && (
              <div className="flex flex-wrap gap-2">
                {s?.status !== "connected" ? (
                  <Button asChild>
                    <a href={connectHref}>
                      {s?.status === "needs_reconnect" ? <RotateCcw /> : <Link2 />} {s?.status === "needs_reconnect" ? "Reconnect" : `Connect ${integration.providerName}`}
                    </a>
                  </Button>
                ) : (
                  <>
                    <Button variant="outline" asChild>
                      <a href={connectHref}>
                        <RotateCcw /> Reconnect
                      </a>
                    </Button>
                    <AlertDialog>
                      <AlertDialogTrigger asChild>
                        <Button variant="outline" disabled={disconnect.isPending}>
                          {disconnect.isPending ? <Loader2 className="animate-spin" /> : <Link2Off />} Disconnect
                        </Button>
                      </AlertDialogTrigger>
                      <AlertDialogContent>
                        <AlertDialogHeader>
                          <AlertDialogTitle>Disconnect {integration.name}?</AlertDialogTitle>
                          <AlertDialogDescription>
                            The access is revoked at {integration.providerName} and the tokens are deleted here. The integration is switched off until someone connects it again.
                          </AlertDialogDescription>
                        </AlertDialogHeader>
                        <AlertDialogFooter>
                          <AlertDialogCancel>Stay connected</AlertDialogCancel>
                          <AlertDialogAction variant="destructive" onClick={() => disconnect.mutate()}>
                            Disconnect
                          </AlertDialogAction>
                        </AlertDialogFooter>
                      </AlertDialogContent>
                    </AlertDialog>
                  </>
                )}
              </div>
            )}
            {!canConnect && s?.status !== "connected" && !serverToServer && <p className="text-muted-foreground text-sm">An admin must connect this integration.</p>}
          </>
        )}
      </CardContent>
    </Card>
  );
}
