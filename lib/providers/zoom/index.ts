// Zoom (Server-to-Server OAuth app + REST API v2): scheduled and recurring meetings, their
// cloud recordings, and the app's event subscription (meeting.started / ended / deleted,
// recording.completed) with Zoom's URL validation. Meetings are a domain of their own
// (lib/meetings): created from the API and the Meetings panel, attachable to calendar events.
// Test connection = a token and GET /users/{host}.
import { z } from "zod";
import { defineProvider } from "@/lib/providers/types";
import { getUser, ianaTimeZone, ZoomError, type ZoomContext } from "@/lib/providers/zoom/client";
import { handshake, parseWebhook, verifyWebhook, WEBHOOK_EVENTS } from "@/lib/providers/zoom/webhook";
import { demo } from "./demo";

const id = (title: string, description: string) =>
  z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9_-]{8,64}$/, `The ${title} is 8–64 letters, digits, - and _ (copy it from the app's App Credentials page)`)
    .meta({ title, description });

const credentials = z.strictObject({
  accountId: id("Account ID", "Zoom App Marketplace → your Server-to-Server OAuth app → App Credentials"),
  clientId: id("Client ID", "Shown next to the Account ID"),
  clientSecret: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9_-]{16,128}$/, "The Client Secret is 16–128 letters, digits, - and _")
    .meta({ title: "Client Secret", secret: true, description: "Shown next to the Client ID" }),
  webhookSecretToken: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9_-]{16,128}$/, "The Secret Token is 16–128 letters, digits, - and _")
    .optional()
    .meta({
      title: "Webhook Secret Token",
      secret: true,
      description: "The app's Feature page → Secret Token: verifies Zoom's events (and answers its URL validation). Point the event subscription at this integration's webhook URL",
    }),
});

const config = z.strictObject({
  hostUserId: z
    .string()
    .trim()
    .max(128)
    .default("me")
    .meta({ title: "Host", description: "The Zoom user (e-mail or user id) who hosts the meetings; \"me\" is the user who created the app" }),
  defaultTimezone: ianaTimeZone.optional().meta({ title: "Default time zone", description: "For meetings created without one (otherwise UTC)" }),
  waitingRoom: z.boolean().default(true).meta({ title: "Waiting room", description: "Participants wait until the host admits them" }),
  joinBeforeHost: z.boolean().default(false).meta({ title: "Join before host", description: "Participants may join before the host starts the meeting" }),
  autoRecording: z.enum(["none", "local", "cloud"]).default("none").meta({ title: "Automatic recording", description: "cloud: recordings appear on the meeting when it ends" }),
});

export default defineProvider({
  id: "zoom",
  name: "Zoom",
  category: "video",
  description:
    "Zoom meetings through a Server-to-Server OAuth app: scheduled and recurring meetings, cloud recordings, and Zoom's signed events (started, ended, deleted, recording completed). Meetings can be attached to calendar events.",
  docsUrl: "https://developers.zoom.us/docs/api/meetings/",
  capabilities: ["meetings.create", "meetings.delete", "meetings.recordings"],
  credentials,
  config,
  auth: {
    type: "oauth2",
    grant: "client_credentials",
    tokenUrl: { live: "https://zoom.us/oauth/token", sandbox: "/zoom/oauth/token" },
    clientAuth: "basic",
    pkce: false,
    // S2S apps get the scopes chosen on the app's page: none are asked for in the token call
    scopes: [],
    clientCredentials: (ctx) => ({
      // Zoom documents both in the query string of the POST. The form's grant_type replaces the
      // generic "client_credentials" lib/oauth would otherwise put in the body: that is another
      // Zoom grant (chatbot tokens), and must not contradict the query.
      query: { grant_type: "account_credentials", account_id: String(ctx.credentials.accountId ?? "") },
      form: { grant_type: "account_credentials" },
    }),
    // Zoom's token answer names no account: the configured Account ID is who we act as
    account: async (ctx) => ({ id: String(ctx.credentials.accountId ?? "") || null, name: null }),
  },
  defaultEndpoints: { live: "https://api.zoom.us/v2", sandbox: "/zoom/v2" },

  async testConnection(ctx) {
    try {
      const user = await getUser(ctx as unknown as ZoomContext);
      const host = { id: user.id, email: user.email ?? null, name: user.display_name ?? ([user.first_name, user.last_name].filter(Boolean).join(" ") || null) };
      const warn = ctx.credentials.webhookSecretToken ? "" : ": add the webhook Secret Token, or Zoom's events cannot be verified";
      return { ok: true, message: `Connected to Zoom; meetings are hosted by ${host.email ?? host.id}${warn}`, details: { host }, state: { host } };
    } catch (e) {
      return { ok: false, message: e instanceof ZoomError ? e.message : `Zoom could not be reached: ${(e as Error).message}` };
    }
  },

  async sandboxConnect(ctx) {
    // what an admin does on Zoom's App Marketplace: the app exists (its credentials), and its
    // event subscription points at our webhook URL with the app's Secret Token (the sandbox
    // validates the URL at once, as Zoom does when the subscription is saved)
    const root = ctx.baseUrl.replace(/\/$/, "").replace(/\/v2$/, "");
    const post = (action: string, path: string, body: Record<string, unknown>) => ctx.call(action, { method: "POST", url: `${root}${path}`, body });
    await post("zoom.sandbox.app", "/__oauth/clients", { clientId: ctx.credentials.clientId, clientSecret: ctx.credentials.clientSecret, name: ctx.integration.name });
    if (ctx.credentials.webhookSecretToken) {
      await post("zoom.sandbox.subscription", "/__webhooks", {
        clientId: ctx.credentials.clientId,
        url: ctx.webhookUrl,
        secretToken: ctx.credentials.webhookSecretToken,
        events: [...WEBHOOK_EVENTS],
      });
    }
  },

  webhook: {
    scheme: "x-zm-signature v0 (HMAC-SHA256 of v0:timestamp:body with the Secret Token; timestamp within 5 minutes by default); endpoint.url_validation answered",
    secretFields: ["webhookSecretToken"],
    handshake: (req, ctx) => handshake(req, ctx),
    verify: (req, ctx) => verifyWebhook(req, ctx),
    parse: parseWebhook,
    // handled by lib/meetings (its bindings.ts)
  },
  sandbox: () => import("./sandbox"),
  demo,
});
