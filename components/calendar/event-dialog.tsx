"use client";
// Create or edit a calendar event: title, times (or all-day dates), time zone, place,
// description, the order it belongs to, attendees and reminders. Saved through
// /api/v1/calendar/google/events, which pushes it to Google at once; when Google cannot be
// reached the event is kept and the next sync sends it (the toast says so).
import * as React from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { toast } from "sonner";
import { Loader2, Plus, X } from "lucide-react";
import { api, formErrors } from "@/lib/client/api";
import { checkForm } from "@/lib/client/form";
import { useFormErrors } from "@/components/shared/form-errors";
import { createEventBody, updateEventInput } from "@/lib/calendar/contract";
import { fromLocalInput, toLocalInput } from "@/lib/format";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { Textarea } from "@/components/ui/textarea";
import { Checkbox } from "@/components/ui/checkbox";
import { NativeSelect } from "@/components/ui/select";
import { Alert, AlertDescription } from "@/components/ui/alert";
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import type { ApplicationOptions, CalendarEventItem } from "@/lib/calendar/contract";

const DAY = 86_400_000;
const shiftDate = (date: string, days: number) => new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY).toISOString().slice(0, 10);
const browserZone = () => {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone;
  } catch {
    return "";
  }
};

type Attendee = { email: string; name: string };

/** the API paths this form shows next to a field; the rest go in one line above the buttons */
const SHOWN = /^(title|start|end|startDate|endDate|timeZone|location|description|applicationId|attendees\.\d+\.email|reminders(\.overrides(\.\d+\.(minutes|method))?)?)$/;
function fieldOf(path: string): string | null {
  const p = path.replace(/^body\./, "");
  return SHOWN.test(p) ? p : null;
}
type Reminder = { method: "email" | "popup"; minutes: string };

export function EventDialog({
  open,
  onOpenChange,
  integrationId,
  event,
}: {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  integrationId: string;
  /** editing this one; a new event when absent */
  event?: CalendarEventItem | null;
}) {
  const title = event ? "Edit event" : "New event";
  return (
    <Dialog open={open} onOpenChange={onOpenChange}>
      <DialogContent className="max-h-[90vh] overflow-y-auto sm:max-w-2xl">
        <DialogHeader>
          <DialogTitle>{title}</DialogTitle>
          <DialogDescription>Saved here and sent to Google Calendar at once; attendees are invited according to the integration&apos;s settings.</DialogDescription>
        </DialogHeader>
        {open && <EventForm key={event?.id ?? "new"} integrationId={integrationId} event={event ?? null} onDone={() => onOpenChange(false)} />}
      </DialogContent>
    </Dialog>
  );
}

function initial(event: CalendarEventItem | null) {
  const now = new Date();
  const nextHour = new Date(Math.ceil(now.getTime() / 3600_000) * 3600_000);
  return {
    title: event?.title ?? "",
    allDay: event?.allDay ?? false,
    start: event && !event.allDay ? toLocalInput(event.start) : toLocalInput(nextHour.toISOString()),
    end: event && !event.allDay ? toLocalInput(event.end) : toLocalInput(new Date(nextHour.getTime() + 3600_000).toISOString()),
    firstDay: event?.startDate ?? toLocalInput(nextHour.toISOString()).slice(0, 10),
    // the API's endDate is exclusive (like Google's); people think of the last day
    lastDay: event?.endDate ? shiftDate(event.endDate, -1) : toLocalInput(nextHour.toISOString()).slice(0, 10),
    // a new event takes the browser's zone; an existing one keeps its own (or none)
    timeZone: event ? (event.timeZone ?? "") : browserZone(),
    location: event?.location ?? "",
    description: event?.description ?? "",
    applicationId: event?.applicationId ?? "",
    attendees: (event?.attendees ?? []).map((a) => ({ email: a.email, name: a.name ?? "" })),
    useDefault: event?.reminders ? event.reminders.useDefault : true,
    reminders: (event?.reminders?.overrides ?? []).map((r) => ({ method: r.method, minutes: String(r.minutes) })),
  };
}

function EventForm({ integrationId, event, onDone }: { integrationId: string; event: CalendarEventItem | null; onDone: () => void }) {
  const qc = useQueryClient();
  const [f, setF] = React.useState(() => initial(event));
  const set = <K extends keyof typeof f>(k: K, v: (typeof f)[K]) => setF((x) => ({ ...x, [k]: v }));
  const { formError, formRef, clear, show: showErrors, err, invalid } = useFormErrors<string>("ev");
  const [search, setSearch] = React.useState("");
  const [q, setQ] = React.useState("");
  React.useEffect(() => {
    const t = setTimeout(() => setQ(search.trim()), 300);
    return () => clearTimeout(t);
  }, [search]);
  const apps = useQuery({
    queryKey: ["calendar", "applications", q],
    queryFn: () => api<ApplicationOptions>(`/api/v1/calendar/google/applications${q ? `?q=${encodeURIComponent(q)}` : ""}`),
  });
  const options = apps.data?.items ?? [];
  const linked = event?.application && !options.some((a) => a.id === event.application!.id) ? [{ id: event.application.id, number: event.application.number }] : [];
  const chosen = options.find((a) => a.id === f.applicationId);

  const body = () => {
    const times = f.allDay
      ? { allDay: true, startDate: f.firstDay, endDate: f.lastDay ? shiftDate(f.lastDay, 1) : undefined }
      : { allDay: false, start: fromLocalInput(f.start) || undefined, end: fromLocalInput(f.end) || undefined };
    const reminders = f.useDefault
      ? { useDefault: true, overrides: [] }
      : { useDefault: false, overrides: f.reminders.map((r) => ({ method: r.method, minutes: Number(r.minutes) })) };
    const attendees = f.attendees.filter((a) => a.email.trim()).map((a) => ({ email: a.email.trim(), ...(a.name.trim() ? { name: a.name.trim() } : {}) }));
    const common = {
      ...times,
      ...(f.timeZone.trim() ? { timeZone: f.timeZone.trim() } : {}),
      attendees,
      reminders,
    };
    if (event) {
      return {
        ...common,
        title: f.title.trim() || event.title,
        location: f.location.trim() || null,
        description: f.description.trim() || null,
        applicationId: f.applicationId || null,
        ...(f.timeZone.trim() ? {} : { timeZone: null }),
      };
    }
    return {
      ...common,
      integrationId,
      ...(f.title.trim() ? { title: f.title.trim() } : {}),
      ...(f.location.trim() ? { location: f.location.trim() } : {}),
      ...(f.description.trim() ? { description: f.description.trim() } : {}),
      ...(f.applicationId ? { applicationId: f.applicationId } : {}),
    };
  };

  /** every field checked at once with the API's own schema; nothing is sent while one is wrong */
  function submit() {
    clear();
    const b = body();
    const check = event ? checkForm(updateEventInput, b, fieldOf) : checkForm(createEventBody, b, fieldOf);
    if (check.ok) save.mutate(b);
    else showErrors(check.fields, check.form);
  }

  const save = useMutation({
    mutationFn: (b: ReturnType<typeof body>) =>
      event
        ? api<CalendarEventItem>(`/api/v1/calendar/google/events/${event.id}`, { method: "PATCH", json: b })
        : api<CalendarEventItem>("/api/v1/calendar/google/events", { method: "POST", json: b }),
    onSuccess: (ev) => {
      if (ev.sync.state === "synced") toast.success(`${event ? "Saved" : "Created"} “${ev.title}” in Google Calendar`);
      else toast.warning(`“${ev.title}” is saved here; Google Calendar will get it with the next sync`, { description: ev.sync.error ?? undefined });
      void qc.invalidateQueries({ queryKey: ["calendar"] });
      onDone();
    },
    onError: (e) => {
      const { fields, form } = formErrors(e, fieldOf);
      showErrors(fields, form);
    },
  });

  return (
    <form
      ref={formRef}
      noValidate
      className="grid gap-4"
      aria-label={event ? "Edit event" : "New event"}
      onSubmit={(e) => {
        e.preventDefault();
        if (!save.isPending) submit();
      }}
    >
      <div className="grid gap-1.5">
        <Label htmlFor="ev-title">Title</Label>
        <Input id="ev-title" value={f.title} maxLength={1024} onChange={(e) => set("title", e.target.value)} placeholder={chosen ? `Transfer ${chosen.number}` : "Airport pickup"} {...invalid("title")} />
        {err("title") ?? (chosen && !f.title && <p className="text-muted-foreground text-xs">Left empty: “Transfer {chosen.number}”</p>)}
      </div>

      <div className="grid gap-2 rounded-md border p-3">
        <div className="flex items-center gap-2">
          <Checkbox id="ev-all-day" checked={f.allDay} onCheckedChange={(v) => set("allDay", v === true)} />
          <Label htmlFor="ev-all-day">All day</Label>
        </div>
        {f.allDay ? (
          <div className="grid gap-3 sm:grid-cols-2">
            <div className="grid gap-1.5">
              <Label htmlFor="ev-first-day">First day</Label>
              <Input id="ev-first-day" type="date" value={f.firstDay} onChange={(e) => set("firstDay", e.target.value)} {...invalid("startDate")} />
              {err("startDate")}
            </div>
            <div className="grid gap-1.5">
              <Label htmlFor="ev-last-day">Last day</Label>
              <Input id="ev-last-day" type="date" value={f.lastDay} onChange={(e) => set("lastDay", e.target.value)} {...invalid("endDate")} />
              {err("endDate")}
            </div>
          </div>
        ) : (
          <div className="grid gap-3 sm:grid-cols-2">
            <div className="grid gap-1.5">
              <Label htmlFor="ev-start">Start</Label>
              <Input id="ev-start" type="datetime-local" value={f.start} onChange={(e) => set("start", e.target.value)} {...invalid("start")} />
              {err("start")}
            </div>
            <div className="grid gap-1.5">
              <Label htmlFor="ev-end">End</Label>
              <Input id="ev-end" type="datetime-local" value={f.end} onChange={(e) => set("end", e.target.value)} {...invalid("end")} />
              {err("end")}
            </div>
          </div>
        )}
        <div className="grid gap-1.5">
          <Label htmlFor="ev-tz">Time zone</Label>
          <Input id="ev-tz" value={f.timeZone} onChange={(e) => set("timeZone", e.target.value)} placeholder="Europe/Moscow" {...invalid("timeZone")} />
          {err("timeZone") ?? <p className="text-muted-foreground text-xs">The zone Google Calendar shows the times in (IANA name)</p>}
        </div>
      </div>

      <div className="grid gap-3 sm:grid-cols-2">
        <div className="grid gap-1.5">
          <Label htmlFor="ev-app-search">Find an application</Label>
          <Input id="ev-app-search" type="search" value={search} onChange={(e) => setSearch(e.target.value)} placeholder="Number or address" />
        </div>
        <div className="grid gap-1.5">
          <Label htmlFor="ev-application">Application</Label>
          <NativeSelect id="ev-application" value={f.applicationId} onChange={(e) => set("applicationId", e.target.value)} {...invalid("applicationId")}>
            <option value="">None</option>
            {linked.map((a) => (
              <option key={a.id} value={a.id}>
                {a.number}
              </option>
            ))}
            {options.map((a) => (
              <option key={a.id} value={a.id}>
                {a.number} · {new Date(a.pickupAt).toLocaleString(undefined, { month: "short", day: "2-digit", hour: "2-digit", minute: "2-digit" })} · {a.pickupAddress}
              </option>
            ))}
          </NativeSelect>
          {err("applicationId") ?? (apps.isError && <p className="text-destructive text-xs">Could not load applications: {(apps.error as Error).message}</p>)}
          {!event && chosen && <p className="text-muted-foreground text-xs">Empty fields are filled from the order: pickup time, address and route</p>}
        </div>
      </div>

      <div className="grid gap-1.5">
        <Label htmlFor="ev-location">Location</Label>
        <Input id="ev-location" value={f.location} maxLength={1024} onChange={(e) => set("location", e.target.value)} {...invalid("location")} />
        {err("location")}
      </div>
      <div className="grid gap-1.5">
        <Label htmlFor="ev-description">Description</Label>
        <Textarea id="ev-description" className="min-h-20" maxLength={8192} value={f.description} onChange={(e) => set("description", e.target.value)} {...invalid("description")} />
        {err("description")}
      </div>

      <fieldset className="grid gap-2 rounded-md border p-3">
        <legend className="px-1 text-sm font-medium">Attendees</legend>
        {f.attendees.length === 0 && <p className="text-muted-foreground text-sm">Nobody is invited.</p>}
        {f.attendees.map((a, i) => (
          <div key={i} className="grid grid-cols-[1fr_1fr_auto] items-start gap-2">
            <div className="grid gap-1">
              <Input
                aria-label={`Attendee ${i + 1} e-mail`}
                type="email"
                placeholder="name@example.com"
                value={a.email}
                onChange={(e) => set("attendees", f.attendees.map((x, j) => (j === i ? { ...x, email: e.target.value } : x)))}
                {...invalid(`attendees.${i}.email`)}
              />
              {err(`attendees.${i}.email`)}
            </div>
            <Input
              aria-label={`Attendee ${i + 1} name`}
              placeholder="Name (optional)"
              value={a.name}
              onChange={(e) => set("attendees", f.attendees.map((x, j) => (j === i ? { ...x, name: e.target.value } : x)))}
            />
            <Button type="button" variant="ghost" size="icon" aria-label={`Remove attendee ${i + 1}`} onClick={() => set("attendees", f.attendees.filter((_, j) => j !== i))}>
              <X />
            </Button>
          </div>
        ))}
        <div>
          <Button type="button" variant="outline" size="sm" disabled={f.attendees.length >= 100} onClick={() => set("attendees", [...f.attendees, { email: "", name: "" } satisfies Attendee])}>
            <Plus /> Add attendee
          </Button>
        </div>
      </fieldset>

      <fieldset className="grid gap-2 rounded-md border p-3">
        <legend className="px-1 text-sm font-medium">Reminders</legend>
        <div className="flex items-center gap-2">
          <Checkbox id="ev-default-reminders" checked={f.useDefault} onCheckedChange={(v) => set("useDefault", v === true)} />
          <Label htmlFor="ev-default-reminders">Use the calendar&apos;s default reminders</Label>
        </div>
        {!f.useDefault && (
          <>
            {f.reminders.length === 0 && <p className="text-muted-foreground text-sm">No reminders.</p>}
            {f.reminders.map((r, i) => (
              <div key={i} className="grid grid-cols-[1fr_1fr_auto] items-start gap-2">
                <NativeSelect
                  aria-label={`Reminder ${i + 1} method`}
                  value={r.method}
                  onChange={(e) => set("reminders", f.reminders.map((x, j) => (j === i ? { ...x, method: e.target.value as Reminder["method"] } : x)))}
                >
                  <option value="popup">Notification</option>
                  <option value="email">E-mail</option>
                </NativeSelect>
                <div className="grid gap-1">
                  <Input
                    aria-label={`Reminder ${i + 1} minutes before`}
                    type="number"
                    min={0}
                    max={40320}
                    value={r.minutes}
                    onChange={(e) => set("reminders", f.reminders.map((x, j) => (j === i ? { ...x, minutes: e.target.value } : x)))}
                    {...invalid(`reminders.overrides.${i}.minutes`)}
                  />
                  {err(`reminders.overrides.${i}.minutes`)}
                </div>
                <Button type="button" variant="ghost" size="icon" aria-label={`Remove reminder ${i + 1}`} onClick={() => set("reminders", f.reminders.filter((_, j) => j !== i))}>
                  <X />
                </Button>
              </div>
            ))}
            <div>
              <Button type="button" variant="outline" size="sm" disabled={f.reminders.length >= 5} onClick={() => set("reminders", [...f.reminders, { method: "popup", minutes: "30" }])}>
                <Plus /> Add reminder
              </Button>
            </div>
          </>
        )}
        {err("reminders") ?? err("reminders.overrides")}
      </fieldset>

      {formError && (
        <Alert variant="destructive">
          <AlertDescription>{formError}</AlertDescription>
        </Alert>
      )}
      <DialogFooter>
        <Button type="button" variant="outline" onClick={onDone}>
          Cancel
        </Button>
        <Button type="submit" disabled={save.isPending}>
          {save.isPending && <Loader2 className="animate-spin" />} {event ? "Save changes" : "Create event"}
        </Button>
      </DialogFooter>
    </form>
  );
}
