"use client";
// Templates: the texts messages are made from, grouped by key with one version per channel.
// Admins edit them with a live preview (rendered by the server with the sample data: e-mail
// HTML in a sandboxed frame, SMS with its segment count, missing values called out); everyone
// else reads them. "Send test" opens the send dialog with the template and its sample data.
import * as React from "react";
import { useRouter } from "next/navigation";
import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { toast } from "sonner";
import { LayoutTemplate, Loader2, Lock, Plus, Save, Send, Trash2, TriangleAlert } from "lucide-react";
import { api, ClientApiError } from "@/lib/client/api";
import { checkForm, focusFirstInvalid } from "@/lib/client/form";
import { templateInput, templatePatch } from "@/lib/messaging/contract";
import { PageHeader } from "@/components/layout/app-shell";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { Checkbox } from "@/components/ui/checkbox";
import { Textarea } from "@/components/ui/textarea";
import { NativeSelect } from "@/components/ui/select";
import { Badge } from "@/components/ui/badge";
import { Skeleton } from "@/components/ui/skeleton";
import { Alert, AlertDescription, AlertTitle } from "@/components/ui/alert";
import { EmptyState } from "@/components/ui/empty-state";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import {
  AlertDialog, AlertDialogAction, AlertDialogCancel, AlertDialogContent, AlertDialogDescription, AlertDialogFooter,
  AlertDialogHeader, AlertDialogTitle, AlertDialogTrigger,
} from "@/components/ui/alert-dialog";
import { useUrlFilters } from "@/components/shared/url-filters";
import { formatDateTime } from "@/lib/format";
import { SendTestDialog, type SendPreset } from "@/components/messages/send-dialog";
import { CHANNELS, CHANNEL_META, ChannelIcon, EmailFrame, SmsCounter, parseJsonObject, useDebounced } from "@/components/messages/shared";
import type { MessageChannel as Channel, Template, TemplatePreview as Preview } from "@/lib/messaging/contract";

export function TemplatesPage({ canManage, canSend }: { canManage: boolean; canSend: boolean }) {
  const router = useRouter();
  const { filters, params, set: setParam } = useUrlFilters("/messages/templates", ["channel"] as const);
  const editing = params.get("template");
  const [sendPreset, setSendPreset] = React.useState<SendPreset | null>(null);

  const q = useQuery({ queryKey: ["templates", {}], queryFn: () => api<{ items: Template[] }>("/api/v1/templates") });
  const all = q.data?.items ?? [];
  const shown = filters.channel ? all.filter((t) => t.channel === filters.channel) : all;
  const groups = groupByKey(shown);
  const current = editing && editing !== "new" ? all.find((t) => t.id === editing) : undefined;

  return (
    <>
      <PageHeader
        title="Templates"
        description="Message texts with {{variables}}, one version per channel. Messages name a template by its key; the version for their channel is used."
        actions={
          canManage && (
            <Button onClick={() => setParam("template", "new")}>
              <Plus /> New template
            </Button>
          )
        }
      />
      <div className="mb-4 flex items-end gap-3">
        <div className="grid gap-1.5 sm:w-48">
          <Label htmlFor="t-channel">Channel</Label>
          <NativeSelect id="t-channel" value={filters.channel ?? ""} onChange={(e) => setParam("channel", e.target.value || null)}>
            <option value="">All</option>
            {CHANNELS.map((c) => (
              <option key={c} value={c}>
                {CHANNEL_META[c].label}
              </option>
            ))}
          </NativeSelect>
        </div>
        {!canManage && (
          <p className="text-muted-foreground flex items-center gap-1 pb-2 text-sm">
            <Lock className="size-3.5" aria-hidden /> Read-only: only admins edit templates.
          </p>
        )}
      </div>

      {q.isError ? (
        <Alert variant="destructive">
          <AlertDescription>
            Could not load templates: {(q.error as Error).message}
            <Button variant="outline" size="sm" onClick={() => q.refetch()}>
              Try again
            </Button>
          </AlertDescription>
        </Alert>
      ) : q.isPending ? (
        <div className="grid gap-2" aria-label="Loading">
          {Array.from({ length: 6 }, (_, i) => (
            <Skeleton key={i} className="h-12" />
          ))}
        </div>
      ) : groups.length === 0 ? (
        <EmptyState icon={<LayoutTemplate />} title={filters.channel ? "No templates for this channel" : "No templates yet"}>
          {canManage && "Create one with New template."}
        </EmptyState>
      ) : (
        <div className="rounded-lg border">
          <Table aria-label="Templates">
            <TableHeader>
              <TableRow>
                <TableHead>Template</TableHead>
                <TableHead>Channels</TableHead>
                <TableHead className="hidden md:table-cell">Variables</TableHead>
                <TableHead className="hidden lg:table-cell">Updated</TableHead>
              </TableRow>
            </TableHeader>
            <TableBody>
              {groups.map(([key, versions]) => {
                const first = versions[0];
                const builtin = versions.some((v) => v.builtin);
                return (
                  <TableRow key={key} className="align-top">
                    <TableCell>
                      <div className="flex flex-wrap items-center gap-2">
                        <span className="font-medium">{first.name}</span>
                        {builtin && <Badge variant="muted">Built-in</Badge>}
                      </div>
                      <span className="text-muted-foreground font-mono text-xs">{key}</span>
                      {first.description && <p className="text-muted-foreground text-xs">{first.description}</p>}
                    </TableCell>
                    <TableCell>
                      <div className="flex flex-wrap gap-1">
                        {versions.map((v) => (
                          <Button
                            key={v.id}
                            variant="outline"
                            size="sm"
                            onClick={() => setParam("template", v.id)}
                            aria-label={`${canManage ? "Edit" : "View"} ${CHANNEL_META[v.channel]?.label ?? v.channel} version of ${v.name} (${key})`}
                          >
                            <ChannelIcon channel={v.channel} className="size-3.5" decorative />
                            {CHANNEL_META[v.channel]?.label ?? v.channel}
                          </Button>
                        ))}
                      </div>
                    </TableCell>
                    <TableCell className="hidden md:table-cell">
                      <span className="font-mono text-xs">{first.variables.join(", ") || "—"}</span>
                    </TableCell>
                    <TableCell className="text-muted-foreground hidden text-xs whitespace-nowrap lg:table-cell">
                      {formatDateTime(versions.map((v) => v.updatedAt).sort().at(-1), { second: undefined })}
                    </TableCell>
                  </TableRow>
                );
              })}
            </TableBody>
          </Table>
        </div>
      )}

      <Dialog open={!!editing && (editing === "new" ? canManage : !!current || q.isPending)} onOpenChange={(o) => !o && setParam("template", null)}>
        <DialogContent className="sm:max-w-5xl">
          {editing === "new" ? (
            canManage ? (
              <TemplateEditor key="new" template={null} canManage onClose={() => setParam("template", null)} onCreated={(t) => setParam("template", t.id)} onSendTest={null} />
            ) : null
          ) : current ? (
            <TemplateEditor
              key={current.id}
              template={current}
              canManage={canManage}
              onClose={() => setParam("template", null)}
              onCreated={() => {}}
              onSendTest={
                canSend
                  ? (preset) => {
                      setParam("template", null);
                      setSendPreset(preset);
                    }
                  : null
              }
            />
          ) : (
            <>
              <DialogTitle className="sr-only">Loading template</DialogTitle>
              <Skeleton className="h-96" />
            </>
          )}
        </DialogContent>
      </Dialog>
      {canSend && (
        <SendTestDialog open={!!sendPreset} onOpenChange={(o) => !o && setSendPreset(null)} preset={sendPreset} onSent={(id) => router.push(`/messages?message=${id}`)} />
      )}
    </>
  );
}

function groupByKey(items: Template[]): [string, Template[]][] {
  const out = new Map<string, Template[]>();
  for (const t of items) out.set(t.key, [...(out.get(t.key) ?? []), t]);
  return [...out.entries()];
}

const vars = (s: string) => [...new Set(s.split(/[\s,]+/).map((v) => v.trim()).filter(Boolean))];

function TemplateEditor({
  template,
  canManage,
  onClose,
  onCreated,
  onSendTest,
}: {
  template: Template | null;
  canManage: boolean;
  onClose: () => void;
  onCreated: (t: Template) => void;
  onSendTest: ((preset: SendPreset) => void) | null;
}) {
  const qc = useQueryClient();
  const isNew = !template;
  const readOnly = !canManage;
  const [key, setKey] = React.useState("");
  const [channel, setChannel] = React.useState<Channel>(template?.channel ?? "sms");
  const [name, setName] = React.useState(template?.name ?? "");
  const [description, setDescription] = React.useState(template?.description ?? "");
  const [subject, setSubject] = React.useState(template?.subject ?? "");
  const [body, setBody] = React.useState(template?.body ?? "");
  const [html, setHtml] = React.useState(template?.html ?? "");
  const [variables, setVariables] = React.useState((template?.variables ?? []).join(", "));
  const [sample, setSample] = React.useState(JSON.stringify(template?.sampleData ?? {}, null, 2));
  const [secret, setSecret] = React.useState(template?.secret ?? false);
  const [secretVariables, setSecretVariables] = React.useState((template?.secretVariables ?? []).join(", "));
  const [errors, setErrors] = React.useState<Record<string, string>>({});
  const [formError, setFormError] = React.useState<string | null>(null);
  const formRef = React.useRef<HTMLFormElement>(null);

  const isEmail = channel === "email";
  const hasSubject = isEmail || channel === "push";
  const parsed = parseJsonObject(sample);
  const declared = vars(variables);

  const input = useDebounced(
    { channel, subject: hasSubject ? subject || null : null, body, html: isEmail ? html || null : null, variables: declared, data: parsed.ok ? parsed.value : null },
    350,
  );
  const preview = useQuery({
    queryKey: ["template-preview", input],
    queryFn: () => api<Preview>("/api/v1/templates/preview", { method: "POST", json: input }),
    enabled: !!input.body.trim() && input.data !== null,
    placeholderData: keepPreviousData,
    retry: false,
  });

  function bodyOf() {
    const fields = {
      name,
      description: description || null,
      subject: hasSubject ? subject || null : null,
      body,
      html: isEmail ? html || null : null,
      variables: declared,
      sampleData: parsed.ok ? parsed.value : {},
      secret,
      secretVariables: secret ? vars(secretVariables) : [],
    };
    return isNew ? { key, channel, ...fields } : fields;
  }

  function showErrors(next: Record<string, string>, form: string | null) {
    setErrors(next);
    setFormError(form);
    focusFirstInvalid(formRef.current);
  }

  /** every field checked at once with the API's own schema; nothing is sent while one is wrong */
  function submit() {
    const body = bodyOf();
    const check = checkForm(isNew ? templateInput : templatePatch, body, (p) => p.split(".")[0] || null);
    const fields: Record<string, string> = check.ok ? {} : { ...(check.fields as Record<string, string>) };
    if (!parsed.ok) fields.sampleData ??= `Not valid JSON: ${parsed.error}`;
    if (Object.keys(fields).length || !check.ok) return showErrors(fields, check.ok ? null : check.form);
    setErrors({});
    setFormError(null);
    save.mutate(body);
  }

  const save = useMutation({
    mutationFn: (body: ReturnType<typeof bodyOf>) =>
      isNew
        ? api<Template>("/api/v1/templates", { method: "POST", json: body })
        : api<Template>(`/api/v1/templates/${template.id}`, { method: "PATCH", json: body }),
    onSuccess: (t) => {
      toast.success(isNew ? "Template created" : "Template saved");
      qc.invalidateQueries({ queryKey: ["templates"] });
      if (isNew) onCreated(t);
    },
    onError: (e) => {
      if (e instanceof ClientApiError) {
        const f: Record<string, string> = {};
        for (const [p, m] of Object.entries(e.fieldErrors())) f[p.replace(/^body\./, "").split(".")[0]] ??= m;
        showErrors(f, Object.keys(f).length ? null : e.message);
      } else setFormError((e as Error).message);
    },
  });
  const remove = useMutation({
    mutationFn: () => api(`/api/v1/templates/${template!.id}`, { method: "DELETE" }),
    onSuccess: () => {
      toast.success("Template deleted");
      qc.invalidateQueries({ queryKey: ["templates"] });
      onClose();
    },
    onError: (e) => toast.error((e as Error).message),
  });

  const fieldError = (f: string) =>
    errors[f] ? (
      <p id={`tpl-${f}-error`} className="text-destructive text-sm">
        {errors[f]}
      </p>
    ) : null;
  const inv = (f: string) => (errors[f] ? { "aria-invalid": true as const, "aria-describedby": `tpl-${f}-error` } : {});
  const p = preview.data;
  const used = p?.used ?? [];
  const undeclared = used.filter((u) => !declared.includes(u));

  return (
    <>
      <DialogHeader>
        <DialogTitle className="flex items-center gap-2">
          {isNew ? "New template" : (
            <>
              <ChannelIcon channel={channel} decorative /> {template.name} · {CHANNEL_META[channel]?.label ?? channel}
            </>
          )}
          {template?.builtin && <Badge variant="muted">Built-in</Badge>}
          {template?.secret && <Badge variant="muted">Secret</Badge>}
        </DialogTitle>
        <DialogDescription>
          {isNew ? "Messages name it by its key; add one version per channel with the same key." : <span className="font-mono">{template.key}</span>}
          {readOnly && " · read-only"}
        </DialogDescription>
      </DialogHeader>
      <form
        ref={formRef}
        noValidate
        className="grid gap-6 lg:grid-cols-2"
        aria-label="Template"
        onSubmit={(e) => {
          e.preventDefault();
          if (!readOnly) submit();
        }}
      >
        <fieldset className="grid content-start gap-3" disabled={save.isPending}>
          {isNew && (
            <div className="grid gap-3 sm:grid-cols-2">
              <div className="grid gap-1.5">
                <Label htmlFor="tpl-key">Key</Label>
                <Input id="tpl-key" value={key} onChange={(e) => setKey(e.target.value)} placeholder="order_reminder" className="font-mono" {...inv("key")} />
                {fieldError("key")}
              </div>
              <div className="grid gap-1.5">
                <Label htmlFor="tpl-channel">Channel</Label>
                <NativeSelect id="tpl-channel" value={channel} onChange={(e) => setChannel(e.target.value as Channel)}>
                  {CHANNELS.map((c) => (
                    <option key={c} value={c}>
                      {CHANNEL_META[c].label}
                    </option>
                  ))}
                </NativeSelect>
              </div>
            </div>
          )}
          <div className="grid gap-1.5">
            <Label htmlFor="tpl-name">Name</Label>
            <Input id="tpl-name" value={name} onChange={(e) => setName(e.target.value)} readOnly={readOnly} {...inv("name")} />
            {fieldError("name")}
          </div>
          <div className="grid gap-1.5">
            <Label htmlFor="tpl-description">Description</Label>
            <Input id="tpl-description" value={description} onChange={(e) => setDescription(e.target.value)} readOnly={readOnly} />
          </div>
          {hasSubject && (
            <div className="grid gap-1.5">
              <Label htmlFor="tpl-subject">{isEmail ? "Subject" : "Title"}</Label>
              <Input id="tpl-subject" value={subject} onChange={(e) => setSubject(e.target.value)} readOnly={readOnly} {...inv("subject")} />
              {fieldError("subject")}
            </div>
          )}
          <div className="grid gap-1.5">
            <Label htmlFor="tpl-body">Text</Label>
            <Textarea id="tpl-body" className="min-h-28 font-mono text-xs" value={body} onChange={(e) => setBody(e.target.value)} readOnly={readOnly} spellCheck={false} {...inv("body")} />
            {fieldError("body")}
          </div>
          {isEmail && (
            <div className="grid gap-1.5">
              <Label htmlFor="tpl-html">HTML</Label>
              <Textarea id="tpl-html" className="min-h-32 font-mono text-xs" value={html} onChange={(e) => setHtml(e.target.value)} readOnly={readOnly} spellCheck={false} {...inv("html")} />
              {fieldError("html")}
            </div>
          )}
          <div className="grid gap-1.5">
            <Label htmlFor="tpl-variables">Variables</Label>
            <Input id="tpl-variables" value={variables} onChange={(e) => setVariables(e.target.value)} placeholder="name, number" readOnly={readOnly} className="font-mono text-xs" {...inv("variables")} />
            {fieldError("variables") ?? <p className="text-muted-foreground text-xs">Comma-separated: sending without one of them is refused.</p>}
          </div>
          <div className="grid gap-1.5">
            <div className="flex items-center gap-2">
              <Checkbox id="tpl-secret" checked={secret} onCheckedChange={(c) => setSecret(c === true)} disabled={readOnly} />
              <Label htmlFor="tpl-secret">Carries a one-time secret (a code, a reset link)</Label>
            </div>
            {secret && (
              <Input
                id="tpl-secret-variables"
                aria-label="Secret variables"
                value={secretVariables}
                onChange={(e) => setSecretVariables(e.target.value)}
                placeholder="code, reset_url (empty: every variable)"
                readOnly={readOnly}
                className="font-mono text-xs"
                {...inv("secretVariables")}
              />
            )}
            {fieldError("secretVariables") ?? (
              <p className="text-muted-foreground text-xs">
                Their values are kept encrypted until the message is sent, shown and logged as ••••••, and such a message is never resent.
              </p>
            )}
          </div>
          <div className="grid gap-1.5">
            <Label htmlFor="tpl-sample">Sample data (JSON)</Label>
            <Textarea id="tpl-sample" className="min-h-32 font-mono text-xs" value={sample} onChange={(e) => setSample(e.target.value)} readOnly={readOnly} spellCheck={false} {...inv("sampleData")} />
            {fieldError("sampleData") ?? (!parsed.ok && <p className="text-destructive text-sm">{parsed.error}</p>)}
          </div>
        </fieldset>

        <section aria-label="Preview" className="grid content-start gap-3">
          <div className="flex items-center gap-2">
            <h3 className="text-sm font-medium">Preview</h3>
            {preview.isFetching && <Loader2 className="text-muted-foreground size-3.5 animate-spin" aria-label="Rendering" />}
          </div>
          {declared.length > 0 && (
            <div className="flex flex-wrap gap-1" aria-label="Variables">
              {declared.map((v) => {
                const missing = p?.missing.includes(v);
                return (
                  <Badge key={v} variant={missing ? "danger" : "outline"} className="font-mono" title={missing ? "No sample value" : undefined}>
                    {missing && <TriangleAlert aria-hidden />}
                    {v}
                    {missing && <span className="sr-only"> (missing)</span>}
                  </Badge>
                );
              })}
            </div>
          )}
          {!parsed.ok ? (
            <p className="text-muted-foreground text-sm">Fix the sample data to see the preview.</p>
          ) : !body.trim() ? (
            <p className="text-muted-foreground text-sm">Write the text to see the preview.</p>
          ) : preview.isError ? (
            <Alert variant="destructive">
              <AlertDescription>{(preview.error as Error).message}</AlertDescription>
            </Alert>
          ) : !p ? (
            <Skeleton className="h-40" />
          ) : (
            <>
              {p.missing.length > 0 && (
                <Alert variant="warning" data-testid="missing-variables">
                  <TriangleAlert />
                  <AlertTitle>Missing variables: {p.missing.join(", ")}</AlertTitle>
                  <AlertDescription>The sample data has no value for them; a message without them is refused.</AlertDescription>
                </Alert>
              )}
              {undeclared.length > 0 && (
                <p className="text-muted-foreground text-xs">
                  Also used (optional): <span className="font-mono">{undeclared.join(", ")}</span>
                </p>
              )}
              {p.subject && (
                <p className="text-sm">
                  <span className="text-muted-foreground">{isEmail ? "Subject: " : "Title: "}</span>
                  <span className="font-medium" data-testid="preview-subject">
                    {p.subject}
                  </span>
                </p>
              )}
              {isEmail && p.html && <EmailFrame html={p.html} title="Template preview" className="h-80" />}
              <div>
                {isEmail && p.html && <p className="text-muted-foreground mb-1 text-xs">Text part</p>}
                <p className="bg-muted rounded-md p-3 text-sm whitespace-pre-wrap" data-testid="preview-text">
                  {p.text}
                </p>
                {(channel === "sms" || channel === "whatsapp") && <SmsCounter text={p.text} className="mt-1" />}
              </div>
            </>
          )}
        </section>

        {formError && (
          <Alert variant="destructive" className="lg:col-span-2">
            <AlertDescription>{formError}</AlertDescription>
          </Alert>
        )}
        <DialogFooter className="lg:col-span-2">
          {!isNew && canManage && !template.builtin && (
            <AlertDialog>
              <AlertDialogTrigger asChild>
                <Button type="button" variant="outline" className="sm:mr-auto" disabled={remove.isPending}>
                  <Trash2 /> Delete
                </Button>
              </AlertDialogTrigger>
              <AlertDialogContent>
                <AlertDialogHeader>
                  <AlertDialogTitle>Delete this template?</AlertDialogTitle>
                  <AlertDialogDescription>
                    The {CHANNEL_META[channel]?.label ?? channel} version of “{template.name}” is removed; messages that name {template.key} on this channel will be refused.
                  </AlertDialogDescription>
                </AlertDialogHeader>
                <AlertDialogFooter>
                  <AlertDialogCancel>Keep it</AlertDialogCancel>
                  <AlertDialogAction variant="destructive" onClick={() => remove.mutate()}>
                    Delete template
                  </AlertDialogAction>
                </AlertDialogFooter>
              </AlertDialogContent>
            </AlertDialog>
          )}
          {!isNew && onSendTest && (
            <Button
              type="button"
              variant="outline"
              title="Sends the saved version with this sample data"
              onClick={() => onSendTest({ channel, template: template.key, data: parsed.ok ? parsed.value : template.sampleData })}
            >
              <Send /> Send test
            </Button>
          )}
          <Button type="button" variant="outline" onClick={onClose}>
            {readOnly ? "Close" : "Cancel"}
          </Button>
          {!readOnly && (
            <Button type="submit" disabled={save.isPending}>
              {save.isPending ? <Loader2 className="animate-spin" /> : <Save />} {isNew ? "Create template" : "Save"}
            </Button>
          )}
        </DialogFooter>
      </form>
    </>
  );
}
