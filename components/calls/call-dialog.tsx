"use client";
// "Call": a number typed in, or a driver or contact picked from the directory, through one of
// the RingCentral lines. RingCentral rings the line's own phone first, then connects the other
// party (RingOut); the dialog then follows the call's status (GET /api/v1/calls/:id asks
// RingCentral while it rings) until it is connected or over. One Idempotency-Key per opening:
// a double click rings once.
import * as React from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { toast } from "sonner";
import { Loader2, Phone, Search, X } from "lucide-react";
import { api, ClientApiError } from "@/lib/client/api";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { NativeSelect } from "@/components/ui/select";
import { Badge } from "@/components/ui/badge";
import { Alert, AlertDescription } from "@/components/ui/alert";
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import { newIdempotencyKey } from "@/components/payments/shared";
import { useDebounced } from "@/components/messages/shared";
import {
  CallStatusBadge, ResultBadge, callStatusText, formatCallDuration, useLines, type CallTarget,
} from "@/components/calls/shared";
import type { CallDetail, Directory, Line, RingOutAnswer } from "@/lib/telephony/contract";

/** how often the dialog asks while the call rings, and (less often: RingCentral's rate limits) while it is connected */
const RINGING_POLL_MS = 1500;
const CONNECTED_POLL_MS = 5000;

export function CallDialog({ open, onOpenChange, preset }: { open: boolean; onOpenChange: (open: boolean) => void; preset?: CallTarget | null }) {
  return (
    <Dialog open={open} onOpenChange={onOpenChange}>
      <DialogContent className="sm:max-w-lg">
        <DialogHeader>
          <DialogTitle>Call</DialogTitle>
          <DialogDescription>RingCentral rings your phone first; when you answer, it calls the other party and connects you.</DialogDescription>
        </DialogHeader>
        {/* mounted while open only: every opening is a new call with its own key */}
        {open && <CallForm preset={preset ?? null} onClose={() => onOpenChange(false)} />}
      </DialogContent>
    </Dialog>
  );
}

type Picked = { kind: "driver" | "contact"; id: string; name: string; phone: string };

function lineLabel(l: Line) {
  return `${l.name}${l.mode === "sandbox" ? " (sandbox)" : ""}${l.fromNumber ? ` · ${l.fromNumber}` : ""}`;
}

function CallForm({ preset, onClose }: { preset: CallTarget | null; onClose: () => void }) {
  const qc = useQueryClient();
  const [key] = React.useState(newIdempotencyKey);
  const lines = useLines();
  const usable = (lines.data?.items ?? []).filter((l) => l.enabled);
  const [lineId, setLineId] = React.useState("");
  const line = usable.find((l) => l.id === lineId) ?? usable.find((l) => l.connected) ?? usable[0];
  const [number, setNumber] = React.useState(preset?.phone ?? "");
  const [picked, setPicked] = React.useState<Picked | null>(
    preset?.driverId ? { kind: "driver", id: preset.driverId, name: preset.name ?? preset.phone, phone: preset.phone }
      : preset?.contactId ? { kind: "contact", id: preset.contactId, name: preset.name ?? preset.phone, phone: preset.phone }
      : null,
  );
  const [search, setSearch] = React.useState("");
  const q = useDebounced(search.trim(), 250);
  const [numberError, setNumberError] = React.useState<string | null>(null);
  const [formError, setFormError] = React.useState<string | null>(null);

  const dir = useQuery({
    queryKey: ["calls", "directory", q],
    queryFn: () => api<Directory>(`/api/v1/calls/directory?${new URLSearchParams({ limit: "8", ...(q ? { q } : {}) })}`),
    enabled: !preset,
  });

  const start = useMutation({
    mutationFn: () =>
      api<RingOutAnswer>("/api/v1/calls/ringout", {
        method: "POST",
        headers: { "Idempotency-Key": key },
        json: {
          // the number as shown; a picked person's id links the call (and is used when the number was left as is)
          ...(number.trim() ? { to: number.trim() } : {}),
          ...(picked?.kind === "driver" ? { driverId: picked.id } : {}),
          ...(picked?.kind === "contact" ? { contactId: picked.id } : {}),
          ...(line ? { integrationId: line.id } : {}),
        },
      }),
    onMutate: () => {
      setNumberError(null);
      setFormError(null);
    },
    onSuccess: () => void qc.invalidateQueries({ queryKey: ["calls", "list"] }),
    onError: (e) => {
      if (e instanceof ClientApiError) {
        const f = e.fieldErrors();
        const forNumber = f.to ?? f.driverId ?? f.contactId;
        if (forNumber) setNumberError(forNumber);
        else setFormError(e.message);
      } else setFormError((e as Error).message);
    },
  });

  if (start.data) return <CallProgress call={start.data} onClose={onClose} />;

  const pick = (p: Picked) => {
    setPicked(p);
    setNumber(p.phone);
    setNumberError(null);
  };
  const people: Picked[] = [
    ...(dir.data?.drivers ?? []).map((d) => ({ kind: "driver" as const, id: d.id, name: d.name, phone: d.phone })),
    ...(dir.data?.contacts ?? []).map((c) => ({ kind: "contact" as const, id: c.id, name: c.name, phone: c.phone })),
  ];
  const noLine = lines.isSuccess && !usable.length;

  return (
    <form
      className="grid gap-4"
      aria-label="Call"
      onSubmit={(e) => {
        e.preventDefault();
        if (!number.trim() && !picked) {
          setNumberError("Type a number, or pick a driver or contact");
          return;
        }
        if (!start.isPending) start.mutate();
      }}
    >
      {noLine && (
        <Alert variant="destructive">
          <AlertDescription>No RingCentral line is set up: an admin adds and connects RingCentral on the Integrations page.</AlertDescription>
        </Alert>
      )}
      {usable.length > 1 && (
        <div className="grid gap-1.5">
          <Label htmlFor="call-line">Line</Label>
          <NativeSelect id="call-line" value={line?.id ?? ""} onChange={(e) => setLineId(e.target.value)}>
            {usable.map((l) => (
              <option key={l.id} value={l.id}>
                {lineLabel(l)}
                {l.connected ? "" : " — not connected"}
              </option>
            ))}
          </NativeSelect>
        </div>
      )}
      {line && !line.connected && (
        <p className="text-destructive text-sm" role="alert">
          {line.name} is {line.needsReconnect ? "disconnected at RingCentral: an admin connects it again" : "not connected to RingCentral yet"}.
        </p>
      )}
      {line && (
        <p className="text-muted-foreground text-sm">
          Your phone: <span className="text-foreground font-medium tabular-nums">{line.fromNumber ?? "not set (an admin sets the 'From number')"}</span>
        </p>
      )}

      <div className="grid gap-1.5">
        <Label htmlFor="call-to">Number</Label>
        <Input
          id="call-to"
          type="tel"
          autoComplete="off"
          placeholder="+7 999 123-45-67"
          value={number}
          onChange={(e) => {
            setNumber(e.target.value);
            setNumberError(null);
            if (picked && e.target.value.trim() !== picked.phone) setPicked(null);
          }}
          aria-invalid={numberError ? true : undefined}
          aria-describedby={numberError ? "call-to-error" : undefined}
        />
        {numberError ? (
          <p id="call-to-error" className="text-destructive text-sm">
            {numberError}
          </p>
        ) : (
          <p className="text-muted-foreground text-xs">With the country code (+…), or pick someone below</p>
        )}
        {picked && (
          <p className="flex items-center gap-2 text-sm" data-testid="call-picked">
            <Badge variant="outline">{picked.kind === "driver" ? "Driver" : "Contact"}</Badge>
            <span className="font-medium">{picked.name}</span>
            <Button type="button" variant="ghost" size="icon" className="size-6" aria-label={`Do not link ${picked.name}`} onClick={() => setPicked(null)}>
              <X />
            </Button>
          </p>
        )}
      </div>

      {!preset && (
        <div className="grid gap-1.5">
          <Label htmlFor="call-search">Find a driver or contact</Label>
          <div className="relative">
            <Search className="text-muted-foreground pointer-events-none absolute top-1/2 left-2.5 size-4 -translate-y-1/2" aria-hidden />
            <Input id="call-search" type="search" className="pl-8" placeholder="Name or number" autoComplete="off" value={search} onChange={(e) => setSearch(e.target.value)} />
          </div>
          {dir.isError ? (
            <p className="text-destructive text-xs">Could not search: {(dir.error as Error).message}</p>
          ) : dir.isPending ? (
            <p className="text-muted-foreground text-xs">Loading…</p>
          ) : people.length === 0 ? (
            <p className="text-muted-foreground text-xs">{q ? "Nobody with a phone number matches" : "No drivers or contacts with a phone number yet"}</p>
          ) : (
            <ul className="max-h-48 divide-y overflow-y-auto rounded-md border" aria-label="Drivers and contacts">
              {people.map((p) => (
                <li key={`${p.kind}:${p.id}`}>
                  <button
                    type="button"
                    className="hover:bg-accent flex w-full items-center justify-between gap-2 px-3 py-1.5 text-left text-sm"
                    aria-pressed={picked?.id === p.id}
                    onClick={() => pick(p)}
                  >
                    <span className="truncate">
                      {p.name} <span className="text-muted-foreground text-xs">{p.kind === "driver" ? "driver" : "contact"}</span>
                    </span>
                    <span className="text-muted-foreground shrink-0 text-xs tabular-nums">{p.phone}</span>
                  </button>
                </li>
              ))}
            </ul>
          )}
        </div>
      )}

      {formError && (
        <Alert variant="destructive">
          <AlertDescription>{formError}</AlertDescription>
        </Alert>
      )}
      <DialogFooter>
        <Button type="button" variant="outline" onClick={onClose}>
          Cancel
        </Button>
        <Button type="submit" disabled={start.isPending || noLine}>
          {start.isPending ? <Loader2 className="animate-spin" /> : <Phone />} Call
        </Button>
      </DialogFooter>
    </form>
  );
}

/** The call after RingCentral took it: its status, asked again while it rings. */
function CallProgress({ call, onClose }: { call: RingOutAnswer; onClose: () => void }) {
  const qc = useQueryClient();
  const q = useQuery({
    queryKey: ["calls", "one", call.id],
    queryFn: () => api<CallDetail>(`/api/v1/calls/${call.id}`),
    initialData: { ...call, refreshError: null },
    refetchInterval: (query) => (!query.state.data?.live ? false : query.state.data.callStatus === "Success" ? CONNECTED_POLL_MS : RINGING_POLL_MS),
  });
  const c = q.data ?? call;
  const live = c.live;
  const ringing = live && c.callStatus !== "Success";
  const wasLive = React.useRef(live);
  React.useEffect(() => {
    // the list shows the new status too once the call settles
    if (wasLive.current && !live) void qc.invalidateQueries({ queryKey: ["calls", "list"] });
    wasLive.current = live;
  }, [live, qc]);
  React.useEffect(() => {
    if (call.replayed) toast.info("This call was already started");
  }, [call.replayed]);
  const who = c.driver?.name ?? c.contact?.name ?? c.toName;
  return (
    <section className="grid gap-4" aria-label="Call status" aria-live="polite">
      <div className="grid gap-1">
        <p className="text-sm">
          {ringing ? "Calling" : live ? "On the phone with" : "Called"} <span className="font-medium">{who ?? c.toNumber}</span>
          {who && <span className="text-muted-foreground tabular-nums"> · {c.toNumber}</span>}
        </p>
        <p className="text-muted-foreground text-xs">From your phone {c.fromNumber}</p>
      </div>
      <div className="flex items-center gap-2">
        {ringing && <Loader2 className="text-muted-foreground size-4 animate-spin" aria-hidden />}
        <CallStatusBadge status={c.callStatus} testId="call-status" />
        <span className="text-sm">{callStatusText(c.callStatus)}</span>
      </div>
      {c.result && (
        <p className="flex items-center gap-2 text-sm" data-testid="call-result">
          <ResultBadge result={c.result} />
          {c.durationSeconds !== null && <span className="tabular-nums">{formatCallDuration(c.durationSeconds)}</span>}
        </p>
      )}
      {(c.refreshError || q.isError) && (
        <p className="text-destructive text-xs" role="alert">
          Could not ask RingCentral for the status: {c.refreshError ?? (q.error as Error).message}
        </p>
      )}
      <DialogFooter>
        <Button type="button" onClick={onClose}>
          {ringing ? "Close (the call goes on)" : "Done"}
        </Button>
      </DialogFooter>
    </section>
  );
}
