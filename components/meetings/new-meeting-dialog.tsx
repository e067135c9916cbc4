"use client";
// "New meeting": topic, start (the wall-clock time in the chosen time zone), duration, agenda,
// an optional recurrence (daily / weekly on some days / monthly on a day; ending after N
// meetings or on a date), the Zoom integration when there are several, and "Add to calendar"
// (a new event in a calendar integration, carrying the join link). One Idempotency-Key per
// opening: a double click makes one meeting. The result: the join link to copy.
import * as React from "react";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { toast } from "sonner";
import { Video } from "lucide-react";
import { api, formErrors } from "@/lib/client/api";
import { checkForm } from "@/lib/client/form";
import { createMeetingInput } from "@/lib/meetings/contract";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { Textarea } from "@/components/ui/textarea";
import { Checkbox } from "@/components/ui/checkbox";
import { NativeSelect } from "@/components/ui/select";
import { Alert, AlertDescription } from "@/components/ui/alert";
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import { FormFooter } from "@/components/shared/form-footer";
import { useIntegrations } from "@/components/shared/filter-fields";
import { useFormErrors } from "@/components/shared/form-errors";
import { CopyField, newIdempotencyKey } from "@/components/payments/shared";
import { browserTimeZone, formatInZone, nextHourIn, timeZones, WEEKDAYS, zonedToIso } from "@/components/meetings/shared";
import type { CreatedMeeting } from "@/lib/meetings/contract";

type Field = "topic" | "start" | "duration" | "timezone" | "agenda" | "integration" | "recurrence" | "interval" | "days" | "monthDay" | "ends" | "calendar";

function fieldOf(path: string): Field | null {
  const p = path.replace(/^body\./, "");
  if (p === "topic") return "topic";
  if (p === "startTime") return "start";
  if (p === "duration") return "duration";
  if (p === "timezone") return "timezone";
  if (p === "agenda") return "agenda";
  if (p === "integrationId") return "integration";
  if (p === "recurrence.repeatInterval") return "interval";
  if (p === "recurrence.weeklyDays") return "days";
  if (p.startsWith("recurrence.monthly")) return "monthDay";
  if (p === "recurrence.endTimes" || p === "recurrence.endDateTime") return "ends";
  if (p.startsWith("recurrence")) return "recurrence";
  if (p.startsWith("addToCalendar")) return "calendar";
  return null;
}

export function NewMeetingDialog({ open, onOpenChange }: { open: boolean; onOpenChange: (open: boolean) => void }) {
  return (
    <Dialog open={open} onOpenChange={onOpenChange}>
      <DialogContent className="max-h-[90vh] overflow-y-auto sm:max-w-xl">
        <DialogHeader>
          <DialogTitle>New meeting</DialogTitle>
          <DialogDescription>A Zoom meeting with a join link to share; it can also go into a calendar.</DialogDescription>
        </DialogHeader>
        {/* mounted while open only: every opening is a new meeting with its own key */}
        {open && <NewMeetingForm onClose={() => onOpenChange(false)} />}
      </DialogContent>
    </Dialog>
  );
}

const DURATIONS = [15, 30, 45, 60, 90, 120, 180];

function NewMeetingForm({ onClose }: { onClose: () => void }) {
  const qc = useQueryClient();
  const [key] = React.useState(newIdempotencyKey);
  const integrations = useIntegrations();
  const items = integrations.data?.items ?? [];
  const zooms = items.filter((i) => i.provider === "zoom" && i.status !== "inactive");
  // Google Calendar integrations we may write to (one syncing from Google only cannot take the link)
  const calendars = items.filter((i) => i.provider === "google-calendar" && i.status !== "inactive" && (i.config as { direction?: string }).direction !== "from_google");

  const [tz, setTz] = React.useState(browserTimeZone);
  const zones = React.useMemo(() => timeZones(tz), [tz]);
  const [topic, setTopic] = React.useState("");
  const [start, setStart] = React.useState(() => nextHourIn(browserTimeZone()));
  const [duration, setDuration] = React.useState(60);
  const [agenda, setAgenda] = React.useState("");
  const [integrationId, setIntegrationId] = React.useState("");
  const [recurring, setRecurring] = React.useState(false);
  const [repeat, setRepeat] = React.useState<"daily" | "weekly" | "monthly">("weekly");
  const [every, setEvery] = React.useState(1);
  const [days, setDays] = React.useState<number[]>([]);
  const [monthDay, setMonthDay] = React.useState<number | "">("");
  const [ends, setEnds] = React.useState<"after" | "on">("after");
  const [times, setTimes] = React.useState(4);
  const [until, setUntil] = React.useState("");
  const [toCalendar, setToCalendar] = React.useState(false);
  const [calendarId, setCalendarId] = React.useState("");
  const { formError, formRef, clear, show: showErrors, err, invalid } = useFormErrors<Field>("mt");

  const startIso = zonedToIso(start, tz);
  // the weekday (1 = Sunday) and day of month of the first meeting: the recurrence's defaults
  const wall = /^(\d{4})-(\d{2})-(\d{2})/.exec(start);
  const firstWeekday = wall ? new Date(Date.UTC(Number(wall[1]), Number(wall[2]) - 1, Number(wall[3]))).getUTCDay() + 1 : 1;
  const firstMonthDay = wall ? Number(wall[3]) : 1;
  const calendar = calendarId || calendars[0]?.id || "";

  /** every field checked at once with the API's own schema; nothing is sent while one is wrong */
  function submit() {
    clear();
    const recurrence = recurring
      ? {
          type: repeat,
          repeatInterval: every,
          ...(repeat === "weekly" ? { weeklyDays: days.length ? days : [firstWeekday] } : {}),
          ...(repeat === "monthly" ? { monthlyDay: monthDay === "" ? firstMonthDay : monthDay } : {}),
          ...(ends === "after" ? { endTimes: times } : until ? { endDateTime: zonedToIso(`${until}T23:59`, tz) ?? until } : {}),
        }
      : undefined;
    const body = {
      topic: topic.trim(),
      startTime: startIso ?? undefined,
      duration,
      timezone: tz,
      ...(agenda.trim() ? { agenda: agenda.trim() } : {}),
      ...(integrationId ? { integrationId } : {}),
      ...(recurrence ? { recurrence } : {}),
      ...(toCalendar && calendar ? { addToCalendar: { integrationId: calendar } } : {}),
    };
    const check = checkForm(createMeetingInput, body, fieldOf);
    if (check.ok) return create.mutate(body);
    // the date-time field gives nothing when it is empty or incomplete: say so in its words
    showErrors(startIso ? check.fields : { ...check.fields, start: "Give the start date and time" }, check.form);
  }

  const create = useMutation({
    mutationFn: (body: Record<string, unknown>) => api<CreatedMeeting>("/api/v1/meetings", { method: "POST", headers: { "Idempotency-Key": key }, json: body }),
    onSuccess: (m) => {
      toast.success(`Meeting "${m.topic}" created`);
      qc.invalidateQueries({ queryKey: ["meetings"] });
    },
    onError: (e) => {
      const { fields: next, form } = formErrors(e, fieldOf);
      showErrors(next, form);
    },
  });

  if (create.data) return <Created m={create.data} onClose={onClose} />;

  return (
    <form
      ref={formRef}
      noValidate
      className="grid gap-4"
      aria-label="New meeting"
      onSubmit={(e) => {
        e.preventDefault();
        if (!create.isPending) submit();
      }}
    >
      {integrations.isSuccess && zooms.length === 0 && (
        <Alert variant="destructive">
          <AlertDescription>No Zoom integration yet: add one on the Integrations page (sandbox mode works without a Zoom account).</AlertDescription>
        </Alert>
      )}

      <div className="grid gap-1.5">
        <Label htmlFor="mt-topic">Topic</Label>
        <Input id="mt-topic" maxLength={200} autoComplete="off" value={topic} onChange={(e) => setTopic(e.target.value)} placeholder="Transfer briefing" {...invalid("topic")} />
        {err("topic")}
      </div>

      <div className="grid gap-4 sm:grid-cols-[3fr_2fr]">
        <div className="grid gap-1.5">
          <Label htmlFor="mt-start">Starts</Label>
          <Input id="mt-start" type="datetime-local" value={start} onChange={(e) => setStart(e.target.value)} {...invalid("start")} />
          {err("start")}
        </div>
        <div className="grid gap-1.5">
          <Label htmlFor="mt-duration">Duration</Label>
          <NativeSelect id="mt-duration" value={String(duration)} onChange={(e) => setDuration(Number(e.target.value))} {...invalid("duration")}>
            {[...new Set([...DURATIONS, duration])].sort((a, b) => a - b).map((d) => (
              <option key={d} value={d}>
                {d < 60 ? `${d} min` : `${d / 60} h`}
              </option>
            ))}
          </NativeSelect>
          {err("duration")}
        </div>
      </div>

      <div className="grid gap-1.5">
        <Label htmlFor="mt-timezone">Time zone</Label>
        <NativeSelect id="mt-timezone" value={tz} onChange={(e) => setTz(e.target.value)} {...invalid("timezone")}>
          {zones.map((z) => (
            <option key={z} value={z}>
              {z}
            </option>
          ))}
        </NativeSelect>
        {err("timezone") ?? (startIso && <p className="text-muted-foreground text-xs">Your time: {formatInZone(startIso, null)}</p>)}
      </div>

      <div className="grid gap-1.5">
        <Label htmlFor="mt-agenda">Agenda</Label>
        <Textarea id="mt-agenda" className="min-h-16" maxLength={2000} value={agenda} onChange={(e) => setAgenda(e.target.value)} placeholder="Optional" {...invalid("agenda")} />
        {err("agenda")}
      </div>

      {zooms.length > 1 && (
        <div className="grid gap-1.5">
          <Label htmlFor="mt-integration">Zoom account</Label>
          <NativeSelect id="mt-integration" value={integrationId} onChange={(e) => setIntegrationId(e.target.value)} {...invalid("integration")}>
            <option value="">Automatic ({zooms[0].name})</option>
            {zooms.map((i) => (
              <option key={i.id} value={i.id}>
                {i.name}
                {i.mode === "sandbox" ? " (sandbox)" : ""}
              </option>
            ))}
          </NativeSelect>
          {err("integration")}
        </div>
      )}

      <fieldset className="grid gap-3 rounded-md border p-3">
        <div className="flex items-center gap-2">
          <Checkbox id="mt-recurring" checked={recurring} onCheckedChange={(c) => setRecurring(c === true)} />
          <Label htmlFor="mt-recurring">Recurring meeting</Label>
        </div>
        {recurring && (
          <div className="grid gap-3">
            <div className="grid gap-3 sm:grid-cols-2">
              <div className="grid gap-1.5">
                <Label htmlFor="mt-repeat">Repeats</Label>
                <NativeSelect id="mt-repeat" value={repeat} onChange={(e) => setRepeat(e.target.value as typeof repeat)}>
                  <option value="daily">Daily</option>
                  <option value="weekly">Weekly</option>
                  <option value="monthly">Monthly</option>
                </NativeSelect>
              </div>
              <div className="grid gap-1.5">
                <Label htmlFor="mt-interval">Every</Label>
                <div className="flex items-center gap-2">
                  <Input id="mt-interval" type="number" min={1} max={repeat === "daily" ? 99 : repeat === "weekly" ? 50 : 10} value={every} onChange={(e) => setEvery(Math.max(1, Number(e.target.value) || 1))} className="w-20" {...invalid("interval")} />
                  <span className="text-muted-foreground text-sm">{repeat === "daily" ? "day(s)" : repeat === "weekly" ? "week(s)" : "month(s)"}</span>
                </div>
                {err("interval")}
              </div>
            </div>
            {repeat === "weekly" && (
              <div className="grid gap-1.5" role="group" aria-label="On these days">
                <span className="text-sm font-medium">On</span>
                <div className="flex flex-wrap gap-3">
                  {WEEKDAYS.map((d, i) => {
                    const n = i + 1;
                    const checked = days.length ? days.includes(n) : n === firstWeekday;
                    return (
                      <div key={d} className="flex items-center gap-1.5">
                        <Checkbox
                          id={`mt-day-${n}`}
                          checked={checked}
                          onCheckedChange={(c) => {
                            const base = days.length ? days : [firstWeekday];
                            setDays(c === true ? [...new Set([...base, n])] : base.filter((x) => x !== n));
                          }}
                        />
                        <Label htmlFor={`mt-day-${n}`}>{d}</Label>
                      </div>
                    );
                  })}
                </div>
                {err("days")}
              </div>
            )}
            {repeat === "monthly" && (
              <div className="grid gap-1.5">
                <Label htmlFor="mt-month-day">Day of the month</Label>
                <Input id="mt-month-day" type="number" min={1} max={31} className="w-24" value={monthDay === "" ? firstMonthDay : monthDay} onChange={(e) => setMonthDay(e.target.value === "" ? "" : Number(e.target.value))} {...invalid("monthDay")} />
                {err("monthDay")}
              </div>
            )}
            <div className="grid gap-3 sm:grid-cols-2">
              <div className="grid gap-1.5">
                <Label htmlFor="mt-ends">Ends</Label>
                <NativeSelect id="mt-ends" value={ends} onChange={(e) => setEnds(e.target.value as typeof ends)}>
                  <option value="after">After a number of meetings</option>
                  <option value="on">On a date</option>
                </NativeSelect>
              </div>
              {ends === "after" ? (
                <div className="grid gap-1.5">
                  <Label htmlFor="mt-times">Meetings</Label>
                  <Input id="mt-times" type="number" min={1} max={60} value={times} onChange={(e) => setTimes(Number(e.target.value) || 1)} {...invalid("ends")} />
                  {err("ends") ?? <p className="text-muted-foreground text-xs">At most 60 (Zoom&apos;s limit)</p>}
                </div>
              ) : (
                <div className="grid gap-1.5">
                  <Label htmlFor="mt-until">Last day</Label>
                  <Input id="mt-until" type="date" value={until} onChange={(e) => setUntil(e.target.value)} {...invalid("ends")} />
                  {err("ends")}
                </div>
              )}
            </div>
            {err("recurrence")}
          </div>
        )}
      </fieldset>

      <fieldset className="grid gap-3 rounded-md border p-3">
        <div className="flex items-center gap-2">
          <Checkbox id="mt-calendar" checked={toCalendar} disabled={calendars.length === 0} onCheckedChange={(c) => setToCalendar(c === true)} />
          <Label htmlFor="mt-calendar">Add to calendar</Label>
        </div>
        {calendars.length === 0 ? (
          <p className="text-muted-foreground text-xs">No calendar integration yet: connect Google Calendar on the Integrations page to add meetings to it.</p>
        ) : (
          toCalendar && (
            <div className="grid gap-1.5">
              <Label htmlFor="mt-calendar-integration">Calendar</Label>
              <NativeSelect id="mt-calendar-integration" value={calendar} onChange={(e) => setCalendarId(e.target.value)} {...invalid("calendar")}>
                {calendars.map((i) => (
                  <option key={i.id} value={i.id}>
                    {i.name}
                  </option>
                ))}
              </NativeSelect>
              {err("calendar") ?? <p className="text-muted-foreground text-xs">A new event with the join link, synced to the calendar</p>}
            </div>
          )
        )}
      </fieldset>

      <FormFooter formError={formError} onCancel={onClose} pending={create.isPending} disabled={integrations.isSuccess && zooms.length === 0} icon={<Video />} label="Create meeting" />
    </form>
  );
}

function Created({ m, onClose }: { m: CreatedMeeting; onClose: () => void }) {
  return (
    <div className="grid gap-4" data-testid="meeting-created">
      <div className="grid gap-1">
        <p className="font-medium">{m.topic}</p>
        <p className="text-muted-foreground text-sm">
          {formatInZone(m.startsAt, m.timeZone)}
          {m.timeZone ? ` (${m.timeZone})` : ""}
          {m.recurring && m.occurrences ? ` · ${m.occurrences} meetings` : ""}
        </p>
      </div>
      <div className="grid gap-1.5">
        <p className="text-sm font-medium">Join link</p>
        <CopyField value={m.joinUrl} label="Join link" testId="meeting-join-link" />
        {m.password.set && <p className="text-muted-foreground text-xs">Passcode: {m.password.value ?? m.password.masked} (the link includes it)</p>}
      </div>
      {m.calendar &&
        (m.calendar.ok ? (
          <p className="text-sm">{m.calendar.created ? "Added to the calendar." : "The calendar event now has the join link."}</p>
        ) : (
          <Alert variant="destructive">
            <AlertDescription>{m.calendar.error}</AlertDescription>
          </Alert>
        ))}
      <DialogFooter>
        <Button type="button" onClick={onClose}>
          Done
        </Button>
      </DialogFooter>
    </div>
  );
}
