"use client";
// One operation of the API: a header button (method, path, summary, who may call it) that
// expands to its description, access, parameters, request body, responses and a curl example.
import * as React from "react";
import { ChevronDown, Globe, KeyRound, Link2, UserRound } from "lucide-react";
import { cn } from "@/lib/utils";
import { Badge } from "@/components/ui/badge";
import { ROLE_LABELS, type Role } from "@/lib/auth/roles";
import type { OpenApiDocument } from "@/lib/openapi/types";
import { ParametersTable, SchemaTable } from "@/components/docs/schema-view";
import { METHOD_VARIANT, anchor, curlFor, isGeneric, refName, responseOf, type Op } from "@/components/docs/model";

export function MethodBadge({ method }: { method: string }) {
  return (
    <Badge variant={METHOD_VARIANT[method as keyof typeof METHOD_VARIANT] ?? "muted"} className="w-16 font-mono text-[11px] tracking-wide">
      {method.toUpperCase()}
    </Badge>
  );
}

function AccessBadge({ o }: { o: Op }) {
  const scope = o.op["x-required-scope"];
  if (o.op["x-access"] === "public") {
    return (
      <Badge variant="outline" title={scope ? `Public; an API key with ${scope} may be sent` : "No sign-in or API key needed"}>
        <Globe /> public
      </Badge>
    );
  }
  if (scope) {
    return (
      <Badge variant="outline" className="font-mono" title="The scope an API key needs">
        <KeyRound /> {scope}
      </Badge>
    );
  }
  return (
    <Badge variant="muted" title="Signed-in users only: API keys cannot call it">
      <UserRound /> session only
    </Badge>
  );
}

/** Descriptions are plain text with `code` and **bold**, paragraphs split by a blank line. */
export function Prose({ text }: { text: string }) {
  return (
    <div className="grid gap-2 text-sm leading-relaxed">
      {text.split(/\n{2,}/).map((para, i) => (
        <p key={i}>
          {para.split(/(`[^`]+`|\*\*[^*]+\*\*)/g).map((part, j) =>
            part.startsWith("`") && part.endsWith("`") && part.length > 1 ? (
              <code key={j} className="bg-muted rounded px-1 py-0.5 font-mono text-xs">
                {part.slice(1, -1)}
              </code>
            ) : part.startsWith("**") && part.endsWith("**") && part.length > 3 ? (
              <strong key={j}>{part.slice(2, -2)}</strong>
            ) : (
              <React.Fragment key={j}>{part}</React.Fragment>
            ),
          )}
        </p>
      ))}
    </div>
  );
}

function Section({ title, children, aside }: { title: string; children: React.ReactNode; aside?: React.ReactNode }) {
  return (
    <section className="grid gap-2">
      <div className="flex flex-wrap items-baseline gap-2">
        <h4 className="text-sm font-semibold">{title}</h4>
        {aside}
      </div>
      {children}
    </section>
  );
}

function statusVariant(code: string) {
  if (code.startsWith("2")) return "success" as const;
  if (code.startsWith("4")) return "warning" as const;
  return "danger" as const;
}

function Access({ o }: { o: Op }) {
  const scope = o.op["x-required-scope"];
  const roles = (o.op["x-roles"] ?? []) as Role[];
  const permission = o.op["x-required-permission"];
  return (
    <dl className="grid gap-x-6 gap-y-2 text-sm sm:grid-cols-[max-content_1fr]">
      <dt className="text-muted-foreground">Required scope</dt>
      <dd>
        {scope ? (
          <code className="bg-muted rounded px-1.5 py-0.5 font-mono text-xs">{scope}</code>
        ) : o.op["x-access"] === "public" ? (
          "None: public"
        ) : (
          "None: API keys cannot call this, only signed-in users"
        )}
        {scope && o.op["x-access"] === "public" && <span className="text-muted-foreground ml-2">(optional)</span>}
      </dd>
      <dt className="text-muted-foreground">Roles</dt>
      <dd className="flex flex-wrap items-center gap-1.5">
        {o.op["x-access"] === "public" ? (
          "Anyone"
        ) : (
          <>
            {roles.map((r) => (
              <Badge key={r} variant="secondary">
                {ROLE_LABELS[r] ?? r}
              </Badge>
            ))}
            {permission && <span className="text-muted-foreground text-xs">(permission {permission})</span>}
          </>
        )}
      </dd>
    </dl>
  );
}

function Responses({ doc, o }: { doc: OpenApiDocument; o: Op }) {
  const label = `${o.method.toUpperCase()} ${o.path}`;
  return (
    <ul className="grid gap-3">
      {Object.entries(o.op.responses).map(([code, raw]) => {
        const r = responseOf(doc, raw);
        const shared = refName(raw);
        const media = Object.entries(r.content ?? {});
        const json = r.content?.["application/json"]?.schema;
        return (
          <li key={code} className="grid gap-2">
            <div className="flex flex-wrap items-baseline gap-2 text-sm">
              <Badge variant={statusVariant(code)} className="font-mono">
                {code === "default" ? "other" : code}
              </Badge>
              <span>{r.description}</span>
              {!shared && media.length > 0 && (
                <span className="text-muted-foreground font-mono text-xs">{media.map(([t]) => t).join(", ")}</span>
              )}
            </div>
            {!shared && json && !isGeneric(json) && <SchemaTable doc={doc} schema={json} label={`Response ${code} of ${label}`} />}
          </li>
        );
      })}
    </ul>
  );
}

export function OperationItem({ doc, o, open, onToggle }: { doc: OpenApiDocument; o: Op; open: boolean; onToggle: () => void }) {
  const id = anchor(o);
  const label = `${o.method.toUpperCase()} ${o.path}`;
  const params = o.op.parameters ?? [];
  const body = o.op.requestBody;
  const bodySchema = body?.content["application/json"]?.schema;
  const curl = o.op["x-access"] === "session" ? null : curlFor(doc, o);
  const about = (o.op.description ?? "")
    .split(/\n{2,}/)
    .filter((p) => !p.startsWith("**Access:**"))
    .join("\n\n");
  return (
    <li id={id} className="bg-card scroll-mt-20 rounded-lg border">
      <h3>
        <button
          type="button"
          id={`${id}-button`}
          aria-expanded={open}
          aria-controls={`${id}-panel`}
          onClick={onToggle}
          className="hover:bg-accent/50 focus-visible:ring-ring/50 flex w-full flex-wrap items-center gap-x-3 gap-y-1 rounded-lg px-3 py-2.5 text-left outline-none focus-visible:ring-[3px]"
        >
          <MethodBadge method={o.method} />{" "}
          <code className="font-mono text-sm font-medium break-all">{o.path}</code>{" "}
          <span className="text-muted-foreground min-w-0 flex-1 text-sm">{o.op.summary}</span>{" "}
          <AccessBadge o={o} />
          <ChevronDown aria-hidden className={cn("text-muted-foreground size-4 shrink-0 transition-transform", open && "rotate-180")} />
        </button>
      </h3>
      {open && (
        <div id={`${id}-panel`} role="region" aria-labelledby={`${id}-button`} className="grid gap-5 border-t px-4 py-4">
          <div className="flex items-start justify-between gap-4">
            {/* the access paragraph of the description is the Access section below */}
            {about ? <Prose text={about} /> : <span />}
            <a href={`#${id}`} className="text-muted-foreground hover:text-foreground shrink-0" aria-label={`Link to ${label}`} title="Link to this operation">
              <Link2 className="size-4" />
            </a>
          </div>
          <Section title="Access">
            <Access o={o} />
          </Section>
          {params.length > 0 && (
            <Section title="Parameters">
              <ParametersTable doc={doc} parameters={params} label={`Parameters of ${label}`} />
            </Section>
          )}
          {body && (
            <Section
              title="Request body"
              aside={
                <span className="text-muted-foreground text-xs">
                  {Object.keys(body.content).join(", ")} · {body.required ? "required" : "optional"}
                </span>
              }
            >
              <SchemaTable doc={doc} schema={bodySchema} label={`Request body of ${label}`} />
            </Section>
          )}
          <Section title="Responses" aside={<span className="text-muted-foreground text-xs">errors answer {"{ error: { code, message, details? } }"}</span>}>
            <Responses doc={doc} o={o} />
          </Section>
          {curl && (
            <Section title="Example">
              <pre className="bg-muted overflow-x-auto rounded-md p-3 font-mono text-xs leading-relaxed">
                <code>{curl}</code>
              </pre>
            </Section>
          )}
          <p className="text-muted-foreground text-xs">
            Operation id <code className="font-mono">{o.op.operationId}</code> · served by <code className="font-mono">{o.op["x-source"]}</code>
          </p>
        </div>
      )}
    </li>
  );
}
