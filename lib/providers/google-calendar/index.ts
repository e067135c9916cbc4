// Google Calendar: OAuth 2.0 connect (lib/oauth), two-way sync of one calendar with the CRM's
// calendar events (lib/calendar/sync.ts, sync type "events"), push notifications on a channel
// per calendar (verified by channel id + token; "sync" messages acknowledged and ignored), and
// the events API /api/v1/calendar/google/events. Test connection = calendarList.list.
import { z } from "zod";
import { defineProvider, OAuthReconnectError, WebhookBodyError } from "@/lib/providers/types";
import { getCalendar, GoogleCalendarError, listCalendars, type GCalContext } from "@/lib/providers/google-calendar/client";
import { demo } from "./demo";

const credentials = z.strictObject({
  clientId: z
    .string()
    .trim()
    .min(8, "The OAuth client ID from the Google Cloud console")
    .max(300)
    .meta({ title: "Client ID", description: "Google Cloud console → APIs & Services → Credentials → OAuth 2.0 Client ID (type Web application)" }),
  clientSecret: z
    .string()
    .trim()
    .min(8, "The OAuth client secret from the Google Cloud console")
    .max(300)
    .meta({ title: "Client secret", secret: true, description: "The same OAuth client's secret" }),
});

const config = z.strictObject({
  calendarId: z
    .string()
    .trim()
    .min(1)
    .max(1024)
    .default("primary")
    .meta({ title: "Calendar", description: "The calendar to sync: primary (the connected account's own) or a calendar id from the Calendar page's list" }),
  direction: z
    .enum(["to_google", "from_google", "bidirectional"])
    .default("bidirectional")
    .meta({ title: "Sync direction", description: "to_google: CRM events go to Google; from_google: Google events come to the CRM; bidirectional: both (recommended)" }),
  frequency: z
    .enum(["realtime", "hourly", "daily"])
    .default("realtime")
    .meta({ title: "Sync frequency", description: "realtime: Google push notifications plus an hourly safety sync; hourly or daily: a sync on that interval" }),
  sendUpdates: z
    .enum(["all", "externalOnly", "none"])
    .default("all")
    .meta({ title: "Notify attendees", description: "Google's sendUpdates: e-mail invitations and changes to all guests, only guests outside the account's domain, or none" }),
});

export const SCOPES = ["https://www.googleapis.com/auth/calendar"] as const;

function explain(e: unknown): string {
  if (e instanceof OAuthReconnectError) return `Not connected: ${e.message}. Connect the Google account on this page.`;
  if (e instanceof GoogleCalendarError) return e.message;
  return `Google Calendar call failed: ${(e as Error)?.message ?? String(e)}`;
}

const header = (h: Headers, name: string) => h.get(name) ?? null;

export default defineProvider({
  id: "google-calendar",
  name: "Google Calendar",
  category: "calendar",
  description:
    "Two-way sync of a Google calendar with the CRM's events (sync tokens, push notifications), events with attendees and reminders for applications. Connects with OAuth.",
  docsUrl: "https://developers.google.com/calendar/api/v3/reference",
  capabilities: ["calendar.events"],
  credentials,
  config,
  auth: {
    type: "oauth2",
    grant: "authorization_code",
    authorizeUrl: { live: "https://accounts.google.com/o/oauth2/v2/auth", sandbox: "/google-calendar/o/oauth2/v2/auth" },
    tokenUrl: { live: "https://oauth2.googleapis.com/token", sandbox: "/google-calendar/token" },
    revokeUrl: { live: "https://oauth2.googleapis.com/revoke", sandbox: "/google-calendar/revoke" },
    scopes: SCOPES,
    pkce: true,
    clientAuth: "body",
    // a refresh token every time (offline + consent), and scopes granted earlier kept
    authorizeParams: { access_type: "offline", prompt: "consent", include_granted_scopes: "true" },
    /** the account is its primary calendar, whose id is the account's e-mail */
    async account(ctx, token) {
      const cal = await getCalendar(ctx as unknown as GCalContext, "primary", token.accessToken);
      return { id: cal.id ?? null, name: cal.summary ?? cal.id ?? null };
    },
    // what connecting sets up (the push channel, the sync schedule, the first full sync) and
    // what disconnecting stops (the channels) belong to lib/calendar: its bindings.ts
  },
  defaultEndpoints: { live: "https://www.googleapis.com/", sandbox: "/google-calendar/" },

  async testConnection(ctx) {
    try {
      const list = await listCalendars(ctx as GCalContext);
      const items = list.items ?? [];
      const primary = items.find((c) => c.primary);
      const calendars = items.map((c) => ({ id: c.id, summary: c.summary ?? c.id, primary: !!c.primary, accessRole: c.accessRole ?? null }));
      const target = ctx.config.calendarId === "primary" ? primary?.id ?? "primary" : ctx.config.calendarId;
      const known = ctx.config.calendarId === "primary" || items.some((c) => c.id === ctx.config.calendarId);
      if (!known) return { ok: false, message: `Connected, but the calendar "${ctx.config.calendarId}" is not in this account's calendar list`, details: { calendars } };
      return {
        ok: true,
        message: `Connected to Google Calendar${primary?.id ? ` as ${primary.id}` : ""}: ${items.length} calendar${items.length === 1 ? "" : "s"}; syncing ${target} (${ctx.config.direction}, ${ctx.config.frequency})`,
        details: { calendars },
        state: { account: primary?.id ?? null, calendarCount: items.length },
      };
    } catch (e) {
      return { ok: false, message: explain(e) };
    }
  },

  /** sandbox: register the OAuth client with the emulated Google, as an admin does in the Cloud console */
  async sandboxConnect(ctx) {
    const res = await ctx.call("google-calendar.sandbox.registerClient", {
      method: "POST",
      url: `${ctx.baseUrl.replace(/\/$/, "")}/__oauth/clients`,
      body: { clientId: ctx.credentials.clientId, clientSecret: ctx.credentials.clientSecret, name: "Switchboard" },
      idempotent: true,
    });
    if (!res.ok) throw new Error(`The sandbox refused the OAuth client (${res.status})`);
  },

  sync: {
    types: [
      {
        id: "events",
        label: "Calendar events",
        description: "Incremental two-way sync with Google's sync token (a full sync the first time and after a 410); respects the direction",
      },
    ],
    // run by lib/calendar (its bindings.ts): the events live in the product's tables
  },

  webhook: {
    scheme: "X-Goog-Channel-ID + X-Goog-Channel-Token (a push channel we opened, its token compared in constant time; no signature)",
    secretFields: [],
    // the channel tokens are lib/calendar's (its bindings.ts verifies with verifyGooglePush, ./verify.ts)
    parse(req) {
      const h = req.headers;
      const channelId = header(h, "x-goog-channel-id");
      const state = header(h, "x-goog-resource-state");
      const number = Number(header(h, "x-goog-message-number"));
      if (!channelId || !state) throw new WebhookBodyError("Not a Google push notification: X-Goog-Channel-ID or X-Goog-Resource-State is missing");
      if (!Number.isInteger(number) || number < 1) throw new WebhookBodyError("X-Goog-Message-Number is missing or not a number");
      return {
        type: state,
        // a channel numbers its messages: a redelivery has the same number
        id: `${channelId}:${number}`,
        payload: {
          channelId,
          resourceId: header(h, "x-goog-resource-id"),
          resourceState: state,
          resourceUri: header(h, "x-goog-resource-uri"),
          messageNumber: number,
          channelExpiration: header(h, "x-goog-channel-expiration"),
        },
      };
    },
    // handled by lib/calendar (its bindings.ts)
  },
  sandbox: () => import("./sandbox"),
  demo,
});
