"use client";
// "Send test message": one message on any channel, through one integration or the channel's
// route, with a written text or a template and its data. The form is checked in the browser with
// the API's own schemas (lib/messaging/contract) first, every field at once, and nothing is sent
// while one is wrong; the API's field errors land under the same fields. The new message opens
// in the Messages drawer.
import * as React from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { toast } from "sonner";
import { Send } from "lucide-react";
import type { ZodType } from "zod";
import { api, formErrors } from "@/lib/client/api";
import { checkForm, focusFirstInvalid } from "@/lib/client/form";
import { emailInput, pushInput, smsInput, telegramInput, type MessageChannel as Channel, type QueuedMessage, type QueuedPush, type Template, type TemplatePreview as Preview } from "@/lib/messaging/contract";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { Textarea } from "@/components/ui/textarea";
import { NativeSelect } from "@/components/ui/select";
import { Dialog, DialogContent, DialogDescription, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import { FormFooter } from "@/components/shared/form-footer";
import { useIntegrations } from "@/components/shared/filter-fields";
import { CHANNELS, CHANNEL_META, SmsCounter, parseJsonObject, useDebounced } from "@/components/messages/shared";

export type SendPreset = { channel: Channel; template?: string; data?: Record<string, unknown> };

const ENDPOINT: Record<Channel, string> = {
  sms: "/api/v1/sms/send",
  whatsapp: "/api/v1/whatsapp/send",
  email: "/api/v1/email/send",
  telegram: "/api/v1/telegram/send",
  push: "/api/v1/push/send",
};

/** the API's body schema per channel: the same rules in the browser as on the server */
const SCHEMA: Record<Channel, ZodType> = { sms: smsInput, whatsapp: smsInput, email: emailInput, telegram: telegramInput, push: pushInput };

const TO_HINT: Record<Channel, { placeholder: string; help: string }> = {
  sms: { placeholder: "+79991234567", help: "A phone number with its country code" },
  whatsapp: { placeholder: "+79991234567", help: "A WhatsApp number with its country code" },
  email: { placeholder: "name@example.com", help: "An e-mail address" },
  telegram: { placeholder: "123456789", help: "A chat id (the bot's users get theirs by linking on the Telegram page) or @channel" },
  push: { placeholder: "device token", help: "An FCM device token (apps register theirs with /api/v1/push/register-token)" },
};

type Field = "channel" | "integration" | "to" | "subject" | "text" | "html" | "template";

/** API field paths (per channel) → the dialog's fields. */
function fieldOf(path: string): Field | null {
  const p = path.replace(/^body\./, "");
  if (["to", "chatId", "token", "userId", "driverId"].includes(p)) return "to";
  if (p === "text" || p === "body") return "text";
  if (p === "subject" || p === "title") return "subject";
  if (p === "html") return "html";
  if (p === "integrationId") return "integration";
  if (p === "template" || p === "data" || p.startsWith("data.") || p.startsWith("template.")) return "template";
  return null;
}

export function SendTestDialog({
  open,
  onOpenChange,
  preset,
  onSent,
}: {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  preset?: SendPreset | null;
  onSent?: (id: string) => void;
}) {
  return (
    <Dialog open={open} onOpenChange={onOpenChange}>
      <DialogContent className="sm:max-w-xl">
        <DialogHeader>
          <DialogTitle>Send test message</DialogTitle>
          <DialogDescription>Goes through the outbox like every message: watch it on the Messages page, and in the Sandbox inbox for sandbox integrations.</DialogDescription>
        </DialogHeader>
        {/* mounted while open only: every opening starts from the preset */}
        <SendForm preset={preset ?? null} onDone={(id) => (onOpenChange(false), onSent?.(id))} onCancel={() => onOpenChange(false)} />
      </DialogContent>
    </Dialog>
  );
}

function SendForm({ preset, onDone, onCancel }: { preset: SendPreset | null; onDone: (id: string) => void; onCancel: () => void }) {
  const qc = useQueryClient();
  const [channel, setChannel] = React.useState<Channel>(preset?.channel ?? "sms");
  const [integrationId, setIntegrationId] = React.useState("");
  const [to, setTo] = React.useState("");
  const [subject, setSubject] = React.useState("");
  const [text, setText] = React.useState("");
  const [html, setHtml] = React.useState("");
  const [templateKey, setTemplateKey] = React.useState(preset?.template ?? "");
  const [dataText, setDataText] = React.useState(preset?.data ? JSON.stringify(preset.data, null, 2) : "{}");
  const [errors, setErrors] = React.useState<Partial<Record<Field, string>>>({});
  const [formError, setFormError] = React.useState<string | null>(null);
  const formRef = React.useRef<HTMLFormElement>(null);

  const integrations = useIntegrations();
  const usable = (integrations.data?.items ?? []).filter((i) => i.channels?.includes(channel)).sort((a, b) => a.priority - b.priority || a.name.localeCompare(b.name));
  const templates = useQuery({
    queryKey: ["templates", { channel }],
    queryFn: () => api<{ items: Template[] }>(`/api/v1/templates?channel=${channel}`),
    enabled: channel !== "push",
  });
  const template = templates.data?.items.find((t) => t.key === templateKey) ?? null;
  const parsed = parseJsonObject(dataText);

  // a rendered preview of the chosen template with the data as typed
  const previewInput = useDebounced(template && parsed.ok ? { t: template, data: parsed.value } : null, 400);
  const preview = useQuery({
    queryKey: ["template-preview", "send", previewInput?.t.id, previewInput?.data],
    queryFn: () =>
      api<Preview>("/api/v1/templates/preview", {
        method: "POST",
        json: { channel: previewInput!.t.channel, subject: previewInput!.t.subject, body: previewInput!.t.body, html: previewInput!.t.html, variables: previewInput!.t.variables, data: previewInput!.data },
      }),
    enabled: !!previewInput,
  });

  function changeChannel(c: Channel) {
    setChannel(c);
    setIntegrationId("");
    setTemplateKey("");
    setErrors({});
  }
  function pickTemplate(key: string) {
    setTemplateKey(key);
    const t = templates.data?.items.find((x) => x.key === key);
    if (t) setDataText(JSON.stringify(t.sampleData ?? {}, null, 2));
  }

  const usingTemplate = !!templateKey && channel !== "push";

  /** the request body, as the API takes it on this channel */
  function bodyOf(): Record<string, unknown> {
    const body: Record<string, unknown> = {};
    if (integrationId) body.integrationId = integrationId;
    if (usingTemplate) {
      body.template = templateKey;
      if (parsed.ok) body.data = parsed.value;
    }
    switch (channel) {
      case "sms":
      case "whatsapp":
        body.to = to;
        if (!usingTemplate) body.text = text;
        break;
      case "email":
        body.to = to;
        if (subject) body.subject = subject;
        if (!usingTemplate) {
          if (text) body.text = text;
          if (html) body.html = html;
        }
        break;
      case "telegram":
        body.chatId = to.trim();
        if (!usingTemplate) body.text = text;
        break;
      case "push":
        body.token = to.trim();
        if (subject) body.title = subject;
        body.body = text;
        break;
    }
    return body;
  }

  function showErrors(next: Partial<Record<Field, string>>, form: string | null) {
    // with a template the text comes from it: its problems belong to the template field
    if (usingTemplate && next.text) next.template ??= next.text;
    setErrors(next);
    setFormError(form);
    focusFirstInvalid(formRef.current);
  }

  function submit() {
    setErrors({});
    setFormError(null);
    const body = bodyOf();
    const check = checkForm(SCHEMA[channel], body, fieldOf);
    const fields: Partial<Record<Field, string>> = check.ok ? {} : check.fields;
    if (usingTemplate && !parsed.ok) fields.template ??= "The template data is not valid JSON";
    if (!check.ok || Object.keys(fields).length) return showErrors(fields, check.ok ? null : check.form);
    send.mutate(body);
  }

  const send = useMutation({
    mutationFn: async (body: Record<string, unknown>) => {
      const r = await api<QueuedMessage | QueuedPush>(ENDPOINT[channel], { method: "POST", json: body });
      const id = "messages" in r ? r.messages[0]?.id : r.id;
      if (!id) throw new Error("The API answered without a message id");
      return id;
    },
    onSuccess: (id) => {
      toast.success(`Test ${CHANNEL_META[channel].label} queued`);
      qc.invalidateQueries({ queryKey: ["messages"] });
      onDone(id);
    },
    onError: (e) => {
      const { fields, form } = formErrors(e, fieldOf);
      showErrors(fields, form);
    },
  });

  const err = (f: Field) =>
    errors[f] ? (
      <p id={`send-${f}-error`} className="text-destructive text-sm">
        {errors[f]}
      </p>
    ) : null;
  const invalid = (f: Field) => (errors[f] ? { "aria-invalid": true as const, "aria-describedby": `send-${f}-error` } : {});

  return (
    <form
      ref={formRef}
      noValidate
      className="grid gap-4"
      aria-label="Send test message"
      onSubmit={(e) => {
        e.preventDefault();
        submit();
      }}
    >
      <div className="grid gap-4 sm:grid-cols-2">
        <div className="grid gap-1.5">
          <Label htmlFor="send-channel">Channel</Label>
          <NativeSelect id="send-channel" value={channel} onChange={(e) => changeChannel(e.target.value as Channel)}>
            {CHANNELS.map((c) => (
              <option key={c} value={c}>
                {CHANNEL_META[c].label}
              </option>
            ))}
          </NativeSelect>
        </div>
        <div className="grid gap-1.5">
          <Label htmlFor="send-integration">Integration</Label>
          <NativeSelect id="send-integration" value={integrationId} onChange={(e) => setIntegrationId(e.target.value)} {...invalid("integration")}>
            <option value="">Automatic (priority order)</option>
            {usable.map((i) => (
              <option key={i.id} value={i.id}>
                {i.name}
                {i.mode === "sandbox" ? " (sandbox)" : ""}
                {i.status === "inactive" ? " — disabled" : ""}
              </option>
            ))}
          </NativeSelect>
          {err("integration")}
          {integrations.isSuccess && usable.length === 0 && (
            <p className="text-muted-foreground text-xs">No {CHANNEL_META[channel].label} integration yet: the message will fail until one is added.</p>
          )}
        </div>
      </div>

      <div className="grid gap-1.5">
        <Label htmlFor="send-to">To</Label>
        <Input id="send-to" value={to} onChange={(e) => setTo(e.target.value)} placeholder={TO_HINT[channel].placeholder} autoComplete="off" {...invalid("to")} />
        {err("to") ?? <p className="text-muted-foreground text-xs">{TO_HINT[channel].help}</p>}
      </div>

      {channel !== "push" && (
        <div className="grid gap-1.5">
          <Label htmlFor="send-template">Template</Label>
          <NativeSelect id="send-template" value={templateKey} onChange={(e) => pickTemplate(e.target.value)} {...invalid("template")}>
            <option value="">No template: write the text</option>
            {templates.data?.items.map((t) => (
              <option key={t.id} value={t.key}>
                {t.name} ({t.key})
              </option>
            ))}
          </NativeSelect>
          {!usingTemplate && err("template")}
        </div>
      )}

      {(channel === "email" || channel === "push") && (
        <div className="grid gap-1.5">
          <Label htmlFor="send-subject">{channel === "push" ? "Title" : "Subject"}</Label>
          <Input
            id="send-subject"
            value={subject}
            onChange={(e) => setSubject(e.target.value)}
            placeholder={usingTemplate ? "From the template" : channel === "push" ? "Optional" : ""}
            {...invalid("subject")}
          />
          {err("subject")}
        </div>
      )}

      {usingTemplate ? (
        <div className="grid gap-1.5">
          <Label htmlFor="send-data">Template data (JSON)</Label>
          <Textarea id="send-data" className="min-h-32 font-mono text-xs" value={dataText} onChange={(e) => setDataText(e.target.value)} spellCheck={false} {...invalid("template")} />
          {!parsed.ok && <p className="text-destructive text-sm">{parsed.error}</p>}
          {err("template")}
          {template && template.variables.length > 0 && <p className="text-muted-foreground text-xs">The template needs: {template.variables.join(", ")}</p>}
          {preview.data && (
            <div className="bg-muted rounded-md p-3 text-sm" aria-label="Rendered text">
              {preview.data.subject && <p className="font-medium">{preview.data.subject}</p>}
              <p className="whitespace-pre-wrap">{preview.data.text}</p>
              {preview.data.missing.length > 0 && <p className="text-destructive mt-1 text-xs">Missing: {preview.data.missing.join(", ")}</p>}
            </div>
          )}
        </div>
      ) : (
        <>
          <div className="grid gap-1.5">
            <Label htmlFor="send-text">Text</Label>
            <Textarea id="send-text" className="min-h-28" value={text} onChange={(e) => setText(e.target.value)} {...invalid("text")} />
            {err("text")}
            {(channel === "sms" || channel === "whatsapp") && <SmsCounter text={text} />}
          </div>
          {channel === "email" && (
            <div className="grid gap-1.5">
              <Label htmlFor="send-html">HTML (optional)</Label>
              <Textarea id="send-html" className="min-h-20 font-mono text-xs" value={html} onChange={(e) => setHtml(e.target.value)} placeholder="<p>Hello</p>" {...invalid("html")} />
              {err("html")}
            </div>
          )}
        </>
      )}

      <FormFooter formError={formError} onCancel={onCancel} pending={send.isPending} icon={<Send />} label="Send" />
    </form>
  );
}
