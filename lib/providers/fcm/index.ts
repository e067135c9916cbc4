// Firebase Cloud Messaging (HTTP v1): push notifications to the drivers' and managers'
// mobile apps and to web browsers. Authenticated with a service-account key (an RS256 JWT
// exchanged for an OAuth access token, see client.ts). FCM gives no delivery receipts to
// the sender (delivery data only reaches BigQuery/the console, aggregated), so a message
// accepted by FCM stays "sent"; UNREGISTERED answers tell us a device token is gone.
import { z } from "zod";
import { defineProvider } from "@/lib/providers/types";
import { demo } from "./demo";
import {
  FcmAuthError,
  getAccessToken,
  PASTE_HINT,
  readServiceAccount,
  sendToDevice,
  serviceAccountOf,
  type FcmContext,
} from "@/lib/providers/fcm/client";

const credentials = z.strictObject({
  serviceAccountJson: z
    .string({ error: PASTE_HINT })
    .trim()
    .min(1, PASTE_HINT)
    .superRefine((json, ctx) => {
      const r = readServiceAccount(json);
      if (!r.ok) for (const i of r.issues) ctx.addIssue({ code: "custom", message: i.message });
    })
    .meta({
      title: "Service account JSON",
      secret: true,
      widget: "textarea",
      description:
        "Firebase console → Project settings → Service accounts → Generate new private key: paste the whole downloaded file",
    }),
});

const priority = z.enum(["normal", "high"]);

const config = z.strictObject({
  ratePerSecond: z
    .number()
    .int()
    .min(0)
    .max(100000)
    .optional()
    .meta({
      title: "Sends per second",
      description:
        "0 = no limit. Default 500: FCM's documented quota is 600,000 messages per minute (10,000/s) per Firebase project, shared by every server sending for it",
    }),
  androidPriority: priority.optional().meta({
    title: "Android priority",
    description: "high wakes a sleeping device at once (use for orders and urgent updates); normal may be delayed to save battery",
  }),
  apnsPriority: priority.optional().meta({
    title: "iOS (APNs) priority",
    description: "high = apns-priority 10 (deliver now), normal = 5 (may be batched by iOS)",
  }),
});

export default defineProvider({
  id: "fcm",
  name: "Firebase Cloud Messaging",
  category: "push",
  description: "Push notifications to Android, iOS and web apps through Firebase Cloud Messaging (HTTP v1 API, service-account key).",
  docsUrl: "https://firebase.google.com/docs/reference/fcm/rest/v1/projects.messages/send",
  capabilities: ["push.send"],
  credentials,
  config,
  auth: { type: "api_key" },
  defaultEndpoints: { live: "https://fcm.googleapis.com", sandbox: "/fcm" },

  async testConnection(rawCtx) {
    const ctx = rawCtx as FcmContext;
    let sa;
    try {
      sa = serviceAccountOf(ctx);
      // a real call: a new access token from the token endpoint (sending nothing to anyone)
      await getAccessToken(ctx, { fresh: true });
    } catch (e) {
      if (e instanceof FcmAuthError) return { ok: false, message: e.message, details: { code: e.code, status: e.status ?? null } };
      throw e;
    }
    const account = { projectId: sa.project_id, clientEmail: sa.client_email };
    return { ok: true, message: `Connected: project ${sa.project_id} as ${sa.client_email}`, details: account, state: { account } };
  },

  messaging: {
    channels: ["push"],
    // FCM's documented project quota: 600,000 messages/minute (10,000/s); 500/s leaves room
    // for other senders of the same Firebase project and for bursts
    defaultRatePerSecond: 500,
    async send(ctx, msg) {
      const r = await sendToDevice(ctx as FcmContext, msg);
      // FCM accepted it; it never reports delivery to the sender, so "sent" is final
      return { providerMessageId: r.messageId, status: "sent", providerStatus: "accepted" };
    },
  },
  sandbox: () => import("./sandbox"),
  demo,
});
