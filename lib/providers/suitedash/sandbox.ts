// Emulator of the part of SuiteDash's Secure API we call (lib/providers/suitedash/client.ts),
// JSON, headers X-Public-ID and X-Secret-Key on every call:
//   GET  /contacts?page=N        → {data:[…], meta:{pagination:{total, count, per_page, current_page, totalPages}}}
//   GET  /contact/{uid|email}    → {success:true, data:{uid,…}} | 404 {success:false, message}
//   POST /contact                → 201 {success:true, data:{uid,…}} (422 without first_name/last_name/email,
//                                  409 when the e-mail exists)
//   PUT  /contact/{uid}          → {success:true, data} (UNCONFIRMED endpoint in the real API)
//   POST /contact/{uid}/tags     → {success:true, data} {tags:[…]} added (UNCONFIRMED endpoint)
// Credentials: a Public ID of at least 8 characters and a Secret Key of at least 8 that does not
// start with "wrong"; anything else → 401. Contacts are kept per Public ID (one account each).
// The shapes of single-object answers and errors are UNCONFIRMED: ours, modelled on the lists.
import { randomUUID } from "node:crypto";
import type { Context } from "hono";
import type { SandboxModule } from "@/lib/sandbox/kit";

export type SandboxContact = {
  uid: string;
  first_name: string;
  last_name: string;
  email: string;
  role: string;
  company_name: string | null;
  custom_fields: Record<string, unknown>;
  tags: string[];
  send_welcome_email: boolean;
  created_at: string;
  updated_at: string;
};

type State = { accounts: Map<string, Map<string, SandboxContact>> };

const PER_PAGE = 25;

const suitedash: SandboxModule = {
  id: "suitedash",
  faultBody: (status) => ({ success: false, message: status === 429 ? "Too Many Requests" : `Server Error (${status})` }),
  mount(app, kit) {
    const st = () => kit.state<State>("suitedash", () => ({ accounts: new Map() }));
    const account = (c: Context) => {
      const pub = c.req.header("x-public-id") ?? "";
      const secret = c.req.header("x-secret-key") ?? "";
      if (pub.length < 8 || secret.length < 8 || secret.startsWith("wrong")) return null;
      const s = st();
      if (!s.accounts.has(pub)) s.accounts.set(pub, new Map());
      return s.accounts.get(pub)!;
    };
    const unauthorized = (c: Context) => c.json({ success: false, message: "Unauthenticated." }, 401);
    const find = (contacts: Map<string, SandboxContact>, key: string) =>
      contacts.get(key) ?? [...contacts.values()].find((x) => x.email.toLowerCase() === key.toLowerCase()) ?? null;
    const body = async (c: Context) => ((await c.req.json().catch(() => null)) ?? {}) as Record<string, unknown>;
    const str = (v: unknown) => (typeof v === "string" && v.trim() ? v.trim() : null);

    // for tests and people: every contact of an account (no auth: a control endpoint)
    app.get("/__contacts", (c) => c.json({ items: [...(st().accounts.get(c.req.query("publicId") ?? "")?.values() ?? [])] }));

    app.get("/contacts", (c) => {
      const contacts = account(c);
      if (!contacts) return unauthorized(c);
      const all = [...contacts.values()];
      const page = Math.max(1, Number(c.req.query("page") ?? 1) || 1);
      const totalPages = Math.max(1, Math.ceil(all.length / PER_PAGE));
      return c.json({
        data: all.slice((page - 1) * PER_PAGE, page * PER_PAGE),
        meta: { pagination: { total: all.length, count: Math.min(PER_PAGE, Math.max(0, all.length - (page - 1) * PER_PAGE)), per_page: PER_PAGE, current_page: page, totalPages } },
      });
    });

    app.get("/contact/:key", (c) => {
      const contacts = account(c);
      if (!contacts) return unauthorized(c);
      const found = find(contacts, decodeURIComponent(c.req.param("key")));
      return found ? c.json({ success: true, data: found }) : c.json({ success: false, message: "Contact not found." }, 404);
    });

    app.post("/contact", async (c) => {
      const contacts = account(c);
      if (!contacts) return unauthorized(c);
      const b = await body(c);
      const first = str(b.first_name);
      const last = str(b.last_name);
      const email = str(b.email)?.toLowerCase() ?? null;
      const missing = [!first && "first_name", !last && "last_name", !email && "email"].filter(Boolean);
      if (missing.length) return c.json({ success: false, message: `The ${missing.join(", ")} field is required.` }, 422);
      if (!["Lead", "Client", "Prospect"].includes(String(b.role ?? "Lead"))) return c.json({ success: false, message: "The selected role is invalid." }, 422);
      if (find(contacts, email!)) return c.json({ success: false, message: "A contact with this email already exists." }, 409);
      const now = new Date().toISOString();
      const contact: SandboxContact = {
        uid: randomUUID(),
        first_name: first!,
        last_name: last!,
        email: email!,
        role: String(b.role ?? "Lead"),
        company_name: str(b.company_name),
        custom_fields: (b.custom_fields && typeof b.custom_fields === "object" ? b.custom_fields : {}) as Record<string, unknown>,
        tags: [],
        send_welcome_email: b.send_welcome_email === true,
        created_at: now,
        updated_at: now,
      };
      contacts.set(contact.uid, contact);
      if (contact.send_welcome_email) {
        kit.inbox.push({ provider: "suitedash", kind: "email", to: contact.email, summary: "SuiteDash welcome e-mail", payload: { uid: contact.uid } });
      }
      return c.json({ success: true, data: contact }, 201);
    });

    app.put("/contact/:uid", async (c) => {
      const contacts = account(c);
      if (!contacts) return unauthorized(c);
      const contact = contacts.get(c.req.param("uid"));
      if (!contact) return c.json({ success: false, message: "Contact not found." }, 404);
      const b = await body(c);
      if (str(b.first_name)) contact.first_name = str(b.first_name)!;
      if (str(b.last_name)) contact.last_name = str(b.last_name)!;
      if (str(b.company_name)) contact.company_name = str(b.company_name);
      if (b.custom_fields && typeof b.custom_fields === "object") contact.custom_fields = { ...contact.custom_fields, ...(b.custom_fields as object) };
      contact.updated_at = new Date().toISOString();
      return c.json({ success: true, data: contact });
    });

    app.post("/contact/:uid/tags", async (c) => {
      const contacts = account(c);
      if (!contacts) return unauthorized(c);
      const contact = contacts.get(c.req.param("uid"));
      if (!contact) return c.json({ success: false, message: "Contact not found." }, 404);
      const b = await body(c);
      if (!Array.isArray(b.tags) || !b.tags.every((t) => typeof t === "string")) return c.json({ success: false, message: "The tags field must be an array." }, 422);
      contact.tags = [...new Set([...contact.tags, ...(b.tags as string[])])];
      return c.json({ success: true, data: contact });
    });
  },
};

export default suitedash;
