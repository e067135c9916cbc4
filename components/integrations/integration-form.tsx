"use client";
import * as React from "react";
import { useRouter } from "next/navigation";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { Loader2, FlaskConical, Radio } from "lucide-react";
import { toast } from "sonner";
import { z, type ZodType } from "zod";
import { api, ClientApiError } from "@/lib/client/api";
import { checkForm, focusFirstInvalid } from "@/lib/client/form";
import { zodDetails } from "@/lib/errors";
import { createIntegrationFields, updateIntegrationInput } from "@/lib/integrations/contract";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { Switch } from "@/components/ui/switch";
import { Textarea } from "@/components/ui/textarea";
import { Alert, AlertDescription } from "@/components/ui/alert";
import { SchemaFields, FieldError, type FieldValues } from "@/components/integrations/schema-fields";
import type { Integration, Provider } from "@/lib/integrations/contract";
import { cn } from "@/lib/utils";

type Props = { provider: Provider; integration?: Integration };

/**
 * The provider's credentials or config rules as zod, from the JSON Schema the server publishes
 * of its own zod schema (so the form needs no provider code): what is required, types, lengths,
 * ranges, patterns and choices. Secrets already stored are not required again: left empty, they
 * keep their value.
 */
function partSchema(schema: Provider["credentialsSchema"], stored?: Integration["credentials"]): ZodType {
  const required = (schema.required ?? []).filter((k) => !stored?.[k]?.set);
  try {
    return z.fromJSONSchema({ ...schema, required } as Parameters<typeof z.fromJSONSchema>[0]);
  } catch {
    return z.any(); // a schema the browser cannot read: the server still checks it
  }
}

/** A wrong pattern or format reads as the field's own wording, as the server would answer. */
function checkPart(rules: ZodType, schema: Provider["credentialsSchema"], value: unknown, prefix: string): Record<string, string> {
  const r = rules.safeParse(value);
  if (r.success) return {};
  const issues = r.error.issues.map((i) => {
    const own = i.code === "invalid_format" ? schema.properties?.[String(i.path[0])]?.formatMessage : undefined;
    return own ? { ...i, message: own } : i;
  });
  const out: Record<string, string> = {};
  for (const d of zodDetails({ issues })) out[`${prefix}.${d.path}`] ??= d.message;
  return out;
}

function initialConfig(provider: Provider, integration?: Integration): FieldValues {
  const out: FieldValues = {};
  for (const [k, p] of Object.entries(provider.configSchema.properties ?? {})) {
    out[k] = integration?.config?.[k] ?? p.default;
  }
  return out;
}

function initialCredentials(provider: Provider, integration?: Integration): FieldValues {
  const out: FieldValues = {};
  for (const k of Object.keys(provider.credentialsSchema.properties ?? {})) {
    const stored = integration?.credentials?.[k];
    out[k] = stored && !stored.secret ? (stored.value ?? undefined) : undefined; // secrets start empty
  }
  return out;
}

export function IntegrationForm({ provider, integration }: Props) {
  const router = useRouter();
  const qc = useQueryClient();
  const editing = !!integration;
  const [name, setName] = React.useState(integration?.name ?? "");
  const [code, setCode] = React.useState(integration?.code ?? "");
  const [description, setDescription] = React.useState(integration?.description ?? "");
  const [mode, setMode] = React.useState<"sandbox" | "live">(integration?.mode ?? provider.modes[0]);
  const [apiEndpoint, setApiEndpoint] = React.useState(integration?.apiEndpoint ?? "");
  const [credentials, setCredentials] = React.useState<FieldValues>(() => initialCredentials(provider, integration));
  const [config, setConfig] = React.useState<FieldValues>(() => initialConfig(provider, integration));
  const [autoSync, setAutoSync] = React.useState(integration?.autoSync ?? false);
  const [interval, setIntervalMin] = React.useState<string>(String(integration?.syncIntervalMinutes ?? 60));
  const [priority, setPriority] = React.useState<string>(String(integration?.priority ?? 100));
  const [errors, setErrors] = React.useState<Record<string, string>>({});
  const [formError, setFormError] = React.useState<string | null>(null);
  const formRef = React.useRef<HTMLFormElement>(null);
  const credentialsRules = React.useMemo(() => partSchema(provider.credentialsSchema, integration?.credentials), [provider.credentialsSchema, integration?.credentials]);
  const configRules = React.useMemo(() => partSchema(provider.configSchema), [provider.configSchema]);
  // the fields this form shows a message under; anything else goes in the line above the form
  const shown = React.useMemo(
    () =>
      new Set([
        "name",
        "code",
        "mode",
        "apiEndpoint",
        "priority",
        "syncIntervalMinutes",
        ...Object.keys(provider.credentialsSchema.properties ?? {}).map((k) => `credentials.${k}`),
        ...Object.keys(provider.configSchema.properties ?? {}).map((k) => `config.${k}`),
      ]),
    [provider],
  );

  const defaultEndpoint = mode === "sandbox" ? provider.endpoints.sandbox : provider.endpoints.live;
  // the server refuses a change of where the credentials go unless every stored secret is entered again
  const movedDestination =
    editing &&
    provider.destinationFields.some((f) =>
      f === "mode"
        ? mode !== integration!.mode
        : f === "apiEndpoint"
          ? (apiEndpoint.trim() || null) !== (integration!.apiEndpoint ?? null)
          : f.startsWith("config.") && JSON.stringify(config[f.slice(7)] ?? null) !== JSON.stringify(integration!.config?.[f.slice(7)] ?? null),
    );
  const storedSecrets = provider.secretFields.filter((k) => integration?.credentials?.[k]?.set);

  function bodyOf() {
    const clean = (o: FieldValues) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && v !== ""));
    return {
      name,
      ...(code ? { code } : {}),
      description: description || (editing ? null : undefined),
      mode,
      apiEndpoint: apiEndpoint.trim() || null,
      credentials: clean(credentials),
      config: clean(config),
      ...(provider.syncTypes.length ? { autoSync, syncIntervalMinutes: autoSync ? Number(interval) : null } : {}),
      ...(provider.channels.length ? { priority: Number(priority) } : {}),
    };
  }

  function showErrors(next: Record<string, string>, fallback: string | null) {
    const hidden = Object.entries(next).filter(([k]) => !shown.has(k));
    setErrors(next);
    setFormError(hidden.length ? hidden.map(([k, m]) => `${k}: ${m}`).join(" · ") : Object.keys(next).length ? null : fallback);
    focusFirstInvalid(formRef.current);
  }

  /** every field checked at once in the browser, with the API's rules: nothing is sent while one is wrong */
  function submit() {
    const body = bodyOf();
    const fieldOf = (p: string) => p;
    const general = checkForm(editing ? updateIntegrationInput : createIntegrationFields, editing ? body : { provider: provider.id, ...body }, fieldOf);
    const next: Record<string, string> = {
      ...(general.ok ? {} : (general.fields as Record<string, string>)),
      ...checkPart(credentialsRules, provider.credentialsSchema, body.credentials, "credentials"),
      ...checkPart(configRules, provider.configSchema, body.config, "config"),
    };
    if (Object.keys(next).length) return showErrors(next, null);
    setErrors({});
    setFormError(null);
    save.mutate(body);
  }

  const save = useMutation({
    mutationFn: async (body: ReturnType<typeof bodyOf>) => {
      return editing
        ? api<Integration>(`/api/v1/integrations/${integration!.id}`, { method: "PATCH", json: body })
        : api<Integration>("/api/v1/integrations", { method: "POST", json: { provider: provider.id, ...body } });
    },
    onSuccess: async (saved) => {
      setErrors({});
      setFormError(null);
      await qc.invalidateQueries({ queryKey: ["integrations"] });
      toast.success(editing ? "Saved" : `${saved.name} created`, { description: editing ? undefined : "Next: test the connection" });
      if (editing) {
        setCredentials(initialCredentials(provider, saved));
        qc.setQueryData(["integration", saved.id], saved);
        router.refresh();
      } else {
        router.push(`/integrations/${saved.id}`);
      }
    },
    onError: (e) => {
      if (e instanceof ClientApiError) {
        const fe = e.fieldErrors();
        showErrors(Object.fromEntries(Object.entries(fe).map(([k, v]) => [k.replace(/^body\./, ""), v])), e.message);
      } else setFormError((e as Error).message);
    },
  });

  return (
    <form
      ref={formRef}
      noValidate
      aria-label={editing ? "Integration settings" : "New integration"}
      onSubmit={(e) => {
        e.preventDefault();
        submit();
      }}
      className="grid gap-6"
    >
      {formError && (
        <Alert variant="destructive">
          <AlertDescription>{formError}</AlertDescription>
        </Alert>
      )}
      <Card>
        <CardHeader>
          <CardTitle>General</CardTitle>
          <CardDescription>{provider.description}</CardDescription>
        </CardHeader>
        <CardContent className="grid gap-4 sm:grid-cols-2">
          <div className="grid gap-2">
            <Label htmlFor="name">Name</Label>
            <Input id="name" value={name} onChange={(e) => setName(e.target.value)} aria-invalid={!!errors.name || undefined} aria-describedby={errors.name ? "name-error" : undefined} required />
            <FieldError id="name-error" message={errors.name} />
          </div>
          <div className="grid gap-2">
            <Label htmlFor="code">Code {editing ? "" : "(optional)"}</Label>
            <Input id="code" value={code} placeholder="made from the name" onChange={(e) => setCode(e.target.value)} aria-invalid={!!errors.code || undefined} aria-describedby="code-help" />
            <p id="code-help" className="text-muted-foreground text-sm">
              Used in URLs (webhooks: /api/webhooks/receive/{code || "<code>"}).
            </p>
            <FieldError id="code-error" message={errors.code} />
          </div>
          <div className="grid gap-2 sm:col-span-2">
            <Label htmlFor="description">Description (optional)</Label>
            <Textarea id="description" rows={2} value={description ?? ""} onChange={(e) => setDescription(e.target.value)} />
          </div>
        </CardContent>
      </Card>

      <Card>
        <CardHeader>
          <CardTitle>Connection</CardTitle>
          <CardDescription>Sandbox mode talks to the built-in emulator; live mode to {provider.name} itself.</CardDescription>
        </CardHeader>
        <CardContent className="grid gap-4">
          <fieldset className="grid gap-2">
            <legend className="mb-2 text-sm font-medium">Mode</legend>
            <div className="grid gap-2 sm:grid-cols-2" role="radiogroup" aria-label="Mode">
              {(["sandbox", "live"] as const).map((m) => {
                const available = provider.modes.includes(m);
                const Icon = m === "sandbox" ? FlaskConical : Radio;
                return (
                  <label
                    key={m}
                    className={cn(
                      "flex cursor-pointer items-start gap-3 rounded-md border p-3 text-sm",
                      mode === m && "border-primary bg-primary/5",
                      !available && "cursor-not-allowed opacity-50",
                    )}
                  >
                    <input type="radio" name="mode" value={m} checked={mode === m} disabled={!available} onChange={() => setMode(m)} className="mt-1" />
                    <span>
                      <span className="flex items-center gap-1 font-medium">
                        <Icon className="size-4" /> {m === "sandbox" ? "Sandbox" : "Live"}
                      </span>
                      <span className="text-muted-foreground">
                        {m === "sandbox" ? (available ? "Local emulator: nothing leaves this machine" : "No sandbox for this provider") : "The real provider: real messages, real money"}
                      </span>
                    </span>
                  </label>
                );
              })}
            </div>
            <FieldError id="mode-error" message={errors.mode} />
          </fieldset>
          <div className="grid gap-2">
            <Label htmlFor="apiEndpoint">Endpoint override (optional)</Label>
            <Input id="apiEndpoint" type="url" value={apiEndpoint} placeholder={defaultEndpoint ?? "https://…"} onChange={(e) => setApiEndpoint(e.target.value)} aria-invalid={!!errors.apiEndpoint || undefined} aria-describedby="endpoint-help" />
            <p id="endpoint-help" className="text-muted-foreground text-sm">
              {defaultEndpoint ? `Default: ${defaultEndpoint}` : "This provider has no default: give the URL of the receiving system."}
              {editing && " Changing the endpoint or the mode needs every secret entered again."}
            </p>
            <FieldError id="apiEndpoint-error" message={errors.apiEndpoint} />
          </div>
        </CardContent>
      </Card>

      <Card>
        <CardHeader>
          <CardTitle>Credentials</CardTitle>
          <CardDescription>Encrypted before they are stored; never shown again in full.</CardDescription>
        </CardHeader>
        <CardContent className="grid gap-4">
          {movedDestination && storedSecrets.length > 0 && (
            <Alert role="status" data-testid="destination-changed">
              <AlertDescription>
                You changed where the credentials are sent (mode, endpoint or server): enter every secret again to save. Stored secrets are never
                sent to a new destination.
              </AlertDescription>
            </Alert>
          )}
          <SchemaFields
            schema={provider.credentialsSchema}
            prefix="credentials"
            values={credentials}
            stored={integration?.credentials}
            errors={errors}
            onChange={(k, v) => setCredentials((c) => ({ ...c, [k]: v }))}
          />
        </CardContent>
      </Card>

      <Card>
        <CardHeader>
          <CardTitle>Settings</CardTitle>
        </CardHeader>
        <CardContent className="grid gap-4">
          <SchemaFields schema={provider.configSchema} prefix="config" values={config} errors={errors} onChange={(k, v) => setConfig((c) => ({ ...c, [k]: v }))} />
          {provider.channels.length > 0 && (
            <div className="grid max-w-md gap-2">
              <Label htmlFor="priority">Priority</Label>
              <Input
                id="priority"
                type="number"
                min={0}
                max={1000}
                value={priority}
                onChange={(e) => setPriority(e.target.value)}
                aria-describedby="priority-help"
                aria-invalid={!!errors.priority || undefined}
              />
              <p id="priority-help" className="text-muted-foreground text-sm">
                Messages on {provider.channels.join(", ")} try the integrations in this order (lower first); when one keeps failing, the next takes over.
              </p>
              <FieldError id="priority-error" message={errors.priority} />
            </div>
          )}
          {provider.syncTypes.length > 0 && (
            <div className="grid gap-3 rounded-md border p-3">
              <div className="flex items-center justify-between gap-4">
                <div>
                  <Label htmlFor="autoSync">Automatic sync</Label>
                  <p className="text-muted-foreground text-sm">{provider.syncTypes[0].description}</p>
                </div>
                <Switch id="autoSync" checked={autoSync} onCheckedChange={setAutoSync} />
              </div>
              {autoSync && (
                <div className="grid max-w-xs gap-2">
                  <Label htmlFor="interval">Every (minutes)</Label>
                  <Input id="interval" type="number" min={5} value={interval} onChange={(e) => setIntervalMin(e.target.value)} aria-invalid={!!errors.syncIntervalMinutes || undefined} />
                  <FieldError id="interval-error" message={errors.syncIntervalMinutes} />
                </div>
              )}
            </div>
          )}
        </CardContent>
      </Card>

      <div className="flex justify-end gap-2">
        <Button type="button" variant="outline" onClick={() => router.back()}>
          Cancel
        </Button>
        <Button type="submit" disabled={save.isPending}>
          {save.isPending && <Loader2 className="animate-spin" />} {editing ? "Save changes" : "Create integration"}
        </Button>
      </div>
    </form>
  );
}
