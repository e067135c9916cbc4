"use client";
// Form fields generated from a provider's zod schema (sent as JSON Schema): strings, URLs,
// numbers, booleans, enums; secret fields are password inputs that never show the stored
// value (only its masked tail) and keep it when left empty.
import * as React from "react";
import { Eye, EyeOff } from "lucide-react";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { Switch } from "@/components/ui/switch";
import { Textarea } from "@/components/ui/textarea";
import { NativeSelect } from "@/components/ui/select";
import { Button } from "@/components/ui/button";
import type { CredentialField, JsonSchema, JsonSchemaProp } from "@/lib/integrations/contract";

export type FieldValues = Record<string, unknown>;

function humanize(key: string) {
  return key.replace(/([a-z])([A-Z])/g, "$1 $2").replace(/^./, (c) => c.toUpperCase());
}

export function FieldError({ id, message }: { id: string; message?: string }) {
  if (!message) return null;
  return (
    <p id={id} role="alert" className="text-destructive text-sm">
      {message}
    </p>
  );
}

function SecretInput({ id, name, stored, value, onChange, invalid, describedBy, required }: {
  id: string; name: string; stored?: CredentialField; value: string; onChange: (v: string) => void; invalid: boolean; describedBy?: string; required: boolean;
}) {
  const [show, setShow] = React.useState(false);
  const placeholder = stored?.set ? `Stored (${stored.masked ?? "••••"}) — leave empty to keep` : required ? "Required" : "Optional";
  return (
    <div className="flex gap-2">
      <Input
        id={id}
        name={name}
        type={show ? "text" : "password"}
        autoComplete="off"
        spellCheck={false}
        value={value}
        placeholder={placeholder}
        aria-invalid={invalid || undefined}
        aria-describedby={describedBy}
        onChange={(e) => onChange(e.target.value)}
        className="font-mono"
      />
      <Button type="button" variant="outline" size="icon" aria-label={show ? "Hide what you typed" : "Show what you typed"} onClick={() => setShow((s) => !s)}>
        {show ? <EyeOff /> : <Eye />}
      </Button>
    </div>
  );
}

export function SchemaFields({
  schema,
  prefix,
  values,
  onChange,
  errors,
  stored,
}: {
  schema: JsonSchema;
  prefix: "credentials" | "config";
  values: FieldValues;
  onChange: (key: string, value: unknown) => void;
  errors: Record<string, string>;
  stored?: Record<string, CredentialField>;
}) {
  const props = Object.entries(schema.properties ?? {});
  if (!props.length) return <p className="text-muted-foreground text-sm">Nothing to set.</p>;
  return (
    <div className="grid gap-4">
      {props.map(([key, p]: [string, JsonSchemaProp]) => {
        const id = `${prefix}-${key}`;
        const err = errors[`${prefix}.${key}`];
        const help = p.description ? `${id}-help` : undefined;
        const errId = `${id}-error`;
        const describedBy = [help, err ? errId : undefined].filter(Boolean).join(" ") || undefined;
        const required = (schema.required ?? []).includes(key) && p.default === undefined;
        const label = `${p.title ?? humanize(key)}${required ? "" : " (optional)"}`;
        const v = values[key];

        if (p.type === "object") {
          // structured settings (e.g. SuiteDash's import column names) have their own screen; shown, kept as they are
          return (
            <div key={key} className="grid gap-1 rounded-md border p-3">
              <span className="text-sm font-medium">{p.title ?? humanize(key)}</span>
              {p.description && <p className="text-muted-foreground text-xs">{p.description}</p>}
              <pre className="bg-muted overflow-x-auto rounded p-2 text-xs" aria-label={`${p.title ?? humanize(key)} (read-only here)`}>
                {JSON.stringify(v ?? p.default ?? {}, null, 2)}
              </pre>
            </div>
          );
        }
        if (p.type === "boolean") {
          return (
            <div key={key} className="flex items-start justify-between gap-4 rounded-md border p-3">
              <div className="grid gap-1">
                <Label htmlFor={id}>{p.title ?? humanize(key)}</Label>
                {p.description && <p id={help} className="text-muted-foreground text-sm">{p.description}</p>}
              </div>
              <Switch id={id} checked={Boolean(v ?? p.default)} onCheckedChange={(c) => onChange(key, c)} aria-describedby={describedBy} />
            </div>
          );
        }
        return (
          <div key={key} className="grid gap-2">
            <Label htmlFor={id}>{label}</Label>
            {p.secret ? (
              <SecretInput id={id} name={id} stored={stored?.[key]} value={String(v ?? "")} onChange={(x) => onChange(key, x)} invalid={!!err} describedBy={describedBy} required={required && !stored?.[key]?.set} />
            ) : p.enum ? (
              <NativeSelect id={id} name={id} value={String(v ?? p.default ?? "")} onChange={(e) => onChange(key, e.target.value)} aria-invalid={!!err || undefined} aria-describedby={describedBy}>
                {!required && p.default === undefined && <option value="">—</option>}
                {p.enum.map((o) => (
                  <option key={o} value={o}>
                    {o}
                  </option>
                ))}
              </NativeSelect>
            ) : p.widget === "textarea" ? (
              <Textarea id={id} name={id} value={String(v ?? "")} rows={6} className="font-mono text-xs" onChange={(e) => onChange(key, e.target.value)} aria-invalid={!!err || undefined} aria-describedby={describedBy} />
            ) : p.type === "integer" || p.type === "number" ? (
              <Input
                id={id}
                name={id}
                type="number"
                inputMode="numeric"
                value={v === undefined || v === null ? "" : String(v)}
                placeholder={p.default !== undefined ? String(p.default) : undefined}
                onChange={(e) => onChange(key, e.target.value === "" ? undefined : Number(e.target.value))}
                aria-invalid={!!err || undefined}
                aria-describedby={describedBy}
              />
            ) : (
              <Input
                id={id}
                name={id}
                type={p.format === "uri" ? "url" : "text"}
                value={String(v ?? "")}
                placeholder={p.default !== undefined ? String(p.default) : undefined}
                onChange={(e) => onChange(key, e.target.value === "" ? undefined : e.target.value)}
                aria-invalid={!!err || undefined}
                aria-describedby={describedBy}
              />
            )}
            {p.description && (
              <p id={help} className="text-muted-foreground text-sm">
                {p.description}
              </p>
            )}
            <FieldError id={errId} message={err} />
          </div>
        );
      })}
    </div>
  );
}
