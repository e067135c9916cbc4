"use client";
// Settings: one form per section (organisation, retention, public address), each saved on its
// own. A field shows its effective value; an emptied field goes back to its default (for
// retention, the server's configuration). Each section is checked in the browser with the API's
// own schema (lib/settings/schema.ts) before it is sent: every field's message at once next to
// it, the first wrong field focused; the server's answers land in the same places.
import * as React from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { toast } from "sonner";
import { Loader2, Save } from "lucide-react";
import { api, formErrors } from "@/lib/client/api";
import { checkForm } from "@/lib/client/form";
import { settingsPatch } from "@/lib/settings/schema";
import { PageHeader } from "@/components/layout/app-shell";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { Badge } from "@/components/ui/badge";
import { Skeleton } from "@/components/ui/skeleton";
import { Alert, AlertDescription } from "@/components/ui/alert";
import { Card, CardContent, CardDescription, CardFooter, CardHeader, CardTitle } from "@/components/ui/card";
import { FieldError } from "@/components/integrations/schema-fields";
import { CopyField } from "@/components/payments/shared";
import { useFormErrors } from "@/components/shared/form-errors";
import { formatDateTime } from "@/lib/format";
import type { SettingsView } from "@/lib/settings/service";

type Section = "organization" | "retention" | "publicBaseUrl";
type Values = Record<string, string>;

const SOURCE_TEXT: Record<SettingsView["effective"]["source"], string> = {
  setting: "the public base URL set here",
  PUBLIC_BASE_URL: "the server's configuration (its public address setting)",
  NEXTAUTH_URL: "the server's configuration (its sign-in address)",
  request: "the address this page was opened at (set a public base URL so providers get a stable one)",
  default: "the built-in default (set a public base URL so providers can reach this instance)",
};

const RETENTION: { key: keyof SettingsView["retention"]; label: string; unit: string; help: string }[] = [
  { key: "logsDays", label: "Integration logs", unit: "days", help: "Provider calls and their redacted bodies" },
  { key: "webhooksDays", label: "Webhook events", unit: "days", help: "Finished inbound events (pending and failed ones stay)" },
  { key: "messagesDays", label: "Messages", unit: "days", help: "Sent and failed SMS, e-mail, push and chat messages" },
  { key: "gpsDays", label: "GPS positions", unit: "days", help: "Route history; older positions are also refused by the ingest API" },
  { key: "exportTtlHours", label: "Export files", unit: "hours", help: "How long a finished export stays downloadable" },
];

export function SettingsPage() {
  const q = useQuery({ queryKey: ["settings"], queryFn: () => api<SettingsView>("/api/v1/settings") });
  return (
    <>
      <PageHeader
        title="Settings"
        description={
          q.data?.updatedAt
            ? `Organisation-wide settings, validated on save. Last changed ${formatDateTime(q.data.updatedAt)}; every change is in the Audit trail.`
            : "Organisation-wide settings, validated on save. Every change is in the Audit trail."
        }
      />
      {q.isError ? (
        <Alert variant="destructive">
          <AlertDescription>
            Could not load the settings: {(q.error as Error).message}
            <Button variant="outline" size="sm" onClick={() => q.refetch()}>
              Try again
            </Button>
          </AlertDescription>
        </Alert>
      ) : q.isPending ? (
        <div className="grid max-w-3xl gap-6" aria-label="Loading">
          <Skeleton className="h-64" />
          <Skeleton className="h-80" />
          <Skeleton className="h-48" />
        </div>
      ) : (
        <div className="grid max-w-3xl gap-6">
          <OrganizationForm key={`o${JSON.stringify(q.data.organization)}`} data={q.data} />
          <RetentionForm key={`r${JSON.stringify(q.data.retention)}`} data={q.data} />
          <PublicUrlForm key={`p${q.data.publicBaseUrl}${q.data.effective.publicBaseUrl}`} data={q.data} />
        </div>
      )}
    </>
  );
}

/** A section's form state, its save (only the fields that changed; empty = back to the default) and its errors. */
function useSectionForm(section: Section, initial: Values, title: string, toBody: (changed: Values) => Record<string, unknown>) {
  const qc = useQueryClient();
  const [values, setValues] = React.useState<Values>(initial);
  const { errors, formError, formRef, clear, show: showErrors } = useFormErrors<string>("s");
  const changed = Object.fromEntries(Object.entries(values).filter(([k, v]) => v.trim() !== initial[k]));
  const fieldOf = (path: string) => {
    const [head, field] = path.replace(/^body\./, "").split(".");
    if (section === "publicBaseUrl") return head === "publicBaseUrl" ? "publicBaseUrl" : null;
    return head === section && field && field in initial ? field : null;
  };
  const save = useMutation({
    mutationFn: (body: Record<string, unknown>) => api<SettingsView>("/api/v1/settings", { method: "PATCH", json: body }),
    onSuccess: (view) => {
      qc.setQueryData(["settings"], view);
      // the integrations show webhook URLs built on the public base URL
      if (section === "publicBaseUrl") qc.invalidateQueries({ queryKey: ["integrations"] });
      toast.success(`${title} saved`);
    },
    onError: (e) => {
      const { fields, form } = formErrors(e, fieldOf);
      showErrors(fields, form);
    },
  });
  const field = (name: string) => ({
    id: `s-${name}`,
    name,
    value: values[name] ?? "",
    onChange: (e: React.ChangeEvent<HTMLInputElement>) => setValues((v) => ({ ...v, [name]: e.target.value })),
    "aria-invalid": errors[name] ? (true as const) : undefined,
    "aria-describedby": `s-${name}-hint${errors[name] ? ` s-${name}-error` : ""}`,
  });
  const onSubmit = (e: React.FormEvent) => {
    e.preventDefault();
    if (!Object.keys(changed).length) {
      toast.info(`No changes to ${title.toLowerCase()}`);
      return;
    }
    if (save.isPending) return;
    // every changed field checked at once with the API's own schema; nothing is sent while one is wrong
    clear();
    const body = toBody(changed);
    const check = checkForm(settingsPatch, body, fieldOf);
    if (check.ok) save.mutate(body);
    else showErrors(check.fields, check.form);
  };
  return { values, setValues, errors, formError, save, field, onSubmit, formRef, dirty: Object.keys(changed).length > 0 };
}

function SaveFooter({ form, label }: { form: ReturnType<typeof useSectionForm>; label: string }) {
  return (
    <CardFooter className="justify-end gap-2">
      {form.dirty && <span className="text-muted-foreground text-sm">Unsaved changes</span>}
      <Button type="submit" disabled={form.save.isPending}>
        {form.save.isPending ? <Loader2 className="animate-spin" /> : <Save />} {label}
      </Button>
    </CardFooter>
  );
}

function FormAlert({ message }: { message: string | null }) {
  return message ? (
    <Alert variant="destructive">
      <AlertDescription>{message}</AlertDescription>
    </Alert>
  ) : null;
}

function Hint({ id, children }: { id: string; children: React.ReactNode }) {
  return (
    <p id={id} className="text-muted-foreground text-xs">
      {children}
    </p>
  );
}

/** string fields: empty → null (the default) */
const nullIfEmpty = (changed: Values) => Object.fromEntries(Object.entries(changed).map(([k, v]) => [k, v.trim() === "" ? null : v.trim()]));

function listOf(kind: "timeZone" | "currency"): string[] {
  try {
    return Intl.supportedValuesOf(kind);
  } catch {
    return [];
  }
}

function OrganizationForm({ data }: { data: SettingsView }) {
  const o = data.organization;
  const d = data.defaults.organization;
  const form = useSectionForm("organization", { name: o.name, timeZone: o.timeZone, defaultCurrency: o.defaultCurrency }, "Organisation", (changed) => ({
    organization: nullIfEmpty(changed),
  }));
  const zones = React.useMemo(() => listOf("timeZone"), []);
  const currencies = React.useMemo(() => listOf("currency"), []);
  const custom = (k: string) => data.custom.organization.includes(k);
  return (
    <Card>
      <form ref={form.formRef} onSubmit={form.onSubmit} noValidate aria-labelledby="s-org-h">
        <CardHeader>
          <CardTitle id="s-org-h">Organisation</CardTitle>
          <CardDescription>Your organisation&apos;s name, the time zone its day runs in, and the currency new payment links start with.</CardDescription>
        </CardHeader>
        <CardContent className="grid gap-4 py-4">
          <FormAlert message={form.formError} />
          <div className="grid gap-1.5">
            <Label htmlFor="s-name">Organisation name</Label>
            <Input {...form.field("name")} autoComplete="organization" maxLength={200} />
            <FieldError id="s-name-error" message={form.errors.name} />
            <Hint id="s-name-hint">{custom("name") ? `Empty: back to the default (${d.name}).` : "Not set yet: this is the default."}</Hint>
          </div>
          <div className="grid gap-4 sm:grid-cols-2">
            <div className="grid gap-1.5">
              <Label htmlFor="s-timeZone">Time zone</Label>
              <Input {...form.field("timeZone")} list="s-time-zones" autoComplete="off" spellCheck={false} />
              <datalist id="s-time-zones">
                {zones.map((z) => (
                  <option key={z} value={z} />
                ))}
              </datalist>
              <FieldError id="s-timeZone-error" message={form.errors.timeZone} />
              <Hint id="s-timeZone-hint">An IANA name such as Europe/Moscow. Default: {d.timeZone} (the server&apos;s).</Hint>
            </div>
            <div className="grid gap-1.5">
              <Label htmlFor="s-defaultCurrency">Default currency</Label>
              <Input {...form.field("defaultCurrency")} list="s-currencies" autoComplete="off" spellCheck={false} maxLength={3} className="uppercase" />
              <datalist id="s-currencies">
                {currencies.map((c) => (
                  <option key={c} value={c} />
                ))}
              </datalist>
              <FieldError id="s-defaultCurrency-error" message={form.errors.defaultCurrency} />
              <Hint id="s-defaultCurrency-hint">ISO 4217, such as RUB, USD or EUR. Default: {d.defaultCurrency}.</Hint>
            </div>
          </div>
        </CardContent>
        <SaveFooter form={form} label="Save organisation" />
      </form>
    </Card>
  );
}

function RetentionForm({ data }: { data: SettingsView }) {
  const r = data.retention;
  const initial = Object.fromEntries(RETENTION.map((f) => [f.key, String(r[f.key])]));
  const form = useSectionForm("retention", initial, "Retention", (changed) => ({
    retention: Object.fromEntries(Object.entries(changed).map(([k, v]) => [k, v.trim() === "" ? null : Number(v)])),
  }));
  return (
    <Card>
      <form ref={form.formRef} onSubmit={form.onSubmit} noValidate aria-labelledby="s-ret-h">
        <CardHeader>
          <CardTitle id="s-ret-h">Retention</CardTitle>
          <CardDescription>How long Switchboard keeps what grows. The nightly clean-up deletes anything older; an empty field follows the server's configuration.</CardDescription>
        </CardHeader>
        <CardContent className="grid gap-4 py-4 sm:grid-cols-2">
          <div className="sm:col-span-2">
            <FormAlert message={form.formError} />
          </div>
          {RETENTION.map((f) => (
            <div key={f.key} className="grid content-start gap-1.5">
              <Label htmlFor={`s-${f.key}`}>
                {f.label} ({f.unit}) {data.custom.retention.includes(f.key) && <Badge variant="muted">set here</Badge>}
              </Label>
              <Input {...form.field(f.key)} type="number" inputMode="numeric" min={1} step={f.unit === "hours" ? "any" : 1} />
              <FieldError id={`s-${f.key}-error`} message={form.errors[f.key]} />
              <Hint id={`s-${f.key}-hint`}>
                {f.help}. Default: {data.defaults.retention[f.key]} {f.unit}, from the server&apos;s configuration.
              </Hint>
            </div>
          ))}
        </CardContent>
        <SaveFooter form={form} label="Save retention" />
      </form>
    </Card>
  );
}

function PublicUrlForm({ data }: { data: SettingsView }) {
  const form = useSectionForm("publicBaseUrl", { publicBaseUrl: data.publicBaseUrl }, "Public address", (changed) => ({ publicBaseUrl: changed.publicBaseUrl.trim() }));
  return (
    <Card>
      <form ref={form.formRef} onSubmit={form.onSubmit} noValidate aria-labelledby="s-url-h">
        <CardHeader>
          <CardTitle id="s-url-h">Public address</CardTitle>
          <CardDescription>
            Where providers and people reach this instance: webhook URLs, OAuth redirect URIs and invitation links are built on it. Change it and give providers the new webhook URLs.
          </CardDescription>
        </CardHeader>
        <CardContent className="grid gap-4 py-4">
          <FormAlert message={form.formError} />
          <div className="grid gap-1.5">
            <Label htmlFor="s-publicBaseUrl">Public base URL</Label>
            <Input {...form.field("publicBaseUrl")} type="url" placeholder="https://switchboard.example.com" autoComplete="url" spellCheck={false} />
            <FieldError id="s-publicBaseUrl-error" message={form.errors.publicBaseUrl} />
            <Hint id="s-publicBaseUrl-hint">Scheme, host and port only, without a trailing slash. Empty: from the server&apos;s configuration, else the address this page was opened at.</Hint>
          </div>
          <div className="grid gap-1.5">
            <span className="text-sm font-medium" id="s-webhook-base-h">
              Webhook URLs start with
            </span>
            <CopyField value={data.effective.webhookUrlBase} label="Webhook URL base" testId="webhook-url-base" />
            <p className="text-muted-foreground text-xs">
              From {SOURCE_TEXT[data.effective.source]}. Each integration&apos;s own URL adds /&lt;provider&gt;/&lt;code&gt; and is on its page.
            </p>
          </div>
        </CardContent>
        <SaveFooter form={form} label="Save public address" />
      </form>
    </Card>
  );
}
