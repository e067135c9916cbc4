// SuiteDash (CRM): the website's contact submissions become SuiteDash contacts (role Lead by
// default), either through the Secure API (mode "api": lib/suitedash/sync.ts upserts them by
// e-mail) or as a CSV the admin imports by hand (mode "import": lib/suitedash/import.ts).
// Test connection = GET /contacts?page=1. Parts of SuiteDash's API are UNCONFIRMED: see PATHS
// in ./client.ts.
import { z } from "zod";
import { defineProvider } from "@/lib/providers/types";
import { PATHS, SEED_COLUMNS, SUITEDASH_ROLES, sdCall, SuiteDashError, type ContactList, type SuiteDashContext } from "@/lib/providers/suitedash/client";
import { demo } from "./demo";

const credentials = z.strictObject({
  publicId: z
    .string()
    .trim()
    .min(8, "The Public ID from SuiteDash → Integrations → Secure API")
    .max(200)
    .meta({ title: "Public ID", description: "SuiteDash → Integrations → Secure API: Public ID (sent as X-Public-ID)" }),
  secretKey: z
    .string()
    .trim()
    .min(8, "The Secret Key from SuiteDash → Integrations → Secure API")
    .max(500)
    .meta({ title: "Secret key", secret: true, description: "SuiteDash → Integrations → Secure API: Secret Key (sent as X-Secret-Key)" }),
});

const config = z.strictObject({
  mode: z
    .enum(["api", "import"])
    .default("api")
    .meta({ title: "Mode", description: "api: contacts are sent to SuiteDash automatically; import: you download a CSV and import it in SuiteDash" }),
  role: z.enum(SUITEDASH_ROLES).default("Lead").meta({ title: "Role of new contacts", description: "SuiteDash role given to contacts created from the website" }),
  sendWelcomeEmail: z.boolean().default(false).meta({ title: "Send SuiteDash's welcome e-mail", description: "send_welcome_email on new contacts" }),
  attachTags: z
    .boolean()
    .default(true)
    // UNCONFIRMED endpoint (lib/providers/suitedash/client.ts PATHS)
    .meta({ title: "Attach tags", description: "Send the submission's tags to SuiteDash. Switch off if SuiteDash refuses them (answers 404)" }),
  importColumns: z
    .partialRecord(z.enum(SEED_COLUMNS), z.string().trim().min(1, "A header cannot be empty").max(100))
    .default({})
    .meta({ title: "Import CSV headers", description: "Seed column → header written in the CSV (renamed on the Contacts page)" }),
});

export default defineProvider({
  id: "suitedash",
  name: "SuiteDash",
  category: "crm",
  description:
    "Website contact submissions to SuiteDash contacts (role Lead), by API (upsert by e-mail, tags) or by CSV import.",
  docsUrl: "https://app.suitedash.com/secure-api",
  capabilities: ["crm.contacts.upsert"],
  credentials,
  config,
  auth: { type: "api_key" },
  defaultEndpoints: { live: "https://app.suitedash.com/secure-api", sandbox: "/suitedash" },

  async testConnection(ctx) {
    try {
      const list = await sdCall<ContactList>(ctx as unknown as SuiteDashContext, "suitedash.contacts", { method: "GET", path: PATHS.contacts(1) });
      if (!list || !Array.isArray(list.data)) return { ok: false, message: "SuiteDash answered, but not with a contact list: check the endpoint" };
      const pages = list.meta?.pagination?.totalPages;
      return {
        ok: true,
        message: `Connected to SuiteDash${typeof pages === "number" ? ` (${pages} page${pages === 1 ? "" : "s"} of contacts)` : ""}; mode: ${ctx.config.mode === "import" ? "CSV import" : "API"}`,
        details: { totalPages: pages ?? null, mode: ctx.config.mode },
      };
    } catch (e) {
      return { ok: false, message: e instanceof SuiteDashError ? e.message : `SuiteDash call failed: ${(e as Error)?.message ?? String(e)}` };
    }
  },
  sandbox: () => import("./sandbox"),
  demo,
});
