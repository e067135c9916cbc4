// Emulator of the two Google endpoints the FCM provider uses, in their wire format:
//
//   POST /fcm/token                                  OAuth 2.0 JWT-bearer grant (oauth2.googleapis.com/token)
//   POST /fcm/v1/projects/<project>/messages:send    FCM HTTP v1 send
//
// The token endpoint decodes the assertion and checks what Google checks that it can: alg
// RS256, iss, aud (this very URL), scope, iat/exp (at most one hour, not expired). It does
// NOT verify the signature: the sandbox cannot know the service account's public key (Google
// looks it up by client_email/kid). It issues opaque access tokens valid for an hour.
//
// Magic device tokens (the rest are accepted and land in the sandbox inbox):
//   unregistered…     404 NOT_FOUND, FcmError UNREGISTERED (app uninstalled / token expired)
//   invalid…          400 INVALID_ARGUMENT "The registration token is not a valid FCM registration token"
//   sender-mismatch…  403 PERMISSION_DENIED, FcmError SENDER_ID_MISMATCH
// Control endpoints:
//   POST /fcm/__revoke  {client_email}   the key is revoked: /token answers 400 invalid_grant
//   POST /fcm/__expire  {client_email?}  access tokens already issued (to that account, or all) stop working
// 429 / 500 / 503 come from the sandbox server's generic fault injection, in Google's error shape.
import { randomBytes } from "node:crypto";
import type { Context } from "hono";
import type { SandboxModule } from "@/lib/sandbox/kit";

const JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer";
const SCOPES_OK = ["https://www.googleapis.com/auth/firebase.messaging", "https://www.googleapis.com/auth/cloud-platform"];
const FCM_ERROR = "type.googleapis.com/google.firebase.fcm.v1.FcmError";

type Issued = { email: string; expiresAt: number };
type State = { revoked: Set<string>; tokens: Map<string, Issued> };

const STATUS_OF: Record<number, string> = {
  400: "INVALID_ARGUMENT",
  401: "UNAUTHENTICATED",
  403: "PERMISSION_DENIED",
  404: "NOT_FOUND",
  429: "RESOURCE_EXHAUSTED",
  500: "INTERNAL",
  503: "UNAVAILABLE",
};
// FCM's own error codes for the same answers (https://firebase.google.com/docs/reference/fcm/rest/v1/ErrorCode)
const FCM_CODE_OF: Record<number, string> = {
  400: "INVALID_ARGUMENT",
  429: "QUOTA_EXCEEDED",
  500: "INTERNAL",
  503: "UNAVAILABLE",
};

function googleError(code: number, message: string, fcmCode?: string | null, extraDetails: unknown[] = []) {
  return {
    error: {
      code,
      message,
      status: STATUS_OF[code] ?? "UNKNOWN",
      ...(fcmCode || extraDetails.length ? { details: [...(fcmCode ? [{ "@type": FCM_ERROR, errorCode: fcmCode }] : []), ...extraDetails] } : {}),
    },
  };
}

const gErr = (c: Context, code: number, message: string, fcmCode?: string | null, extra: unknown[] = []) =>
  c.json(googleError(code, message, fcmCode, extra), code as 400);

const oauthErr = (c: Context, status: number, error: string, description: string) =>
  c.json({ error, error_description: description }, status as 400);

function decodePart(part: string | undefined): Record<string, unknown> | null {
  if (!part) return null;
  try {
    const v = JSON.parse(Buffer.from(part, "base64url").toString("utf8"));
    return v && typeof v === "object" && !Array.isArray(v) ? v : null;
  } catch {
    return null;
  }
}

const fcm: SandboxModule = {
  id: "fcm",
  faultBody: (status) =>
    googleError(
      status,
      status === 429
        ? "Quota exceeded for quota metric 'Send requests' and limit 'Send requests per minute' of service 'fcm.googleapis.com'."
        : status === 503
          ? "The service is currently unavailable."
          : status === 500
            ? "Internal error encountered."
            : status === 401
              ? "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential."
              : `Sandbox fault ${status}`,
      FCM_CODE_OF[status] ?? null,
    ),
  mount(app, kit) {
    const st = () => kit.state<State>("fcm", () => ({ revoked: new Set(), tokens: new Map() }));

    app.post("/__revoke", async (c) => {
      const b = (await c.req.json().catch(() => ({}))) as { client_email?: string };
      if (!b.client_email) return c.json({ error: "client_email is required" }, 400);
      st().revoked.add(b.client_email);
      return c.body(null, 204);
    });
    app.post("/__expire", async (c) => {
      const b = (await c.req.json().catch(() => ({}))) as { client_email?: string };
      let n = 0;
      for (const [t, i] of st().tokens) {
        if (!b.client_email || i.email === b.client_email) {
          st().tokens.delete(t);
          n++;
        }
      }
      return c.json({ expired: n });
    });

    // ── OAuth 2.0 token endpoint (JWT bearer grant, RFC 7523) ──
    app.post("/token", async (c) => {
      const ct = c.req.header("content-type") ?? "";
      if (!ct.includes("application/x-www-form-urlencoded")) {
        return oauthErr(c, 400, "invalid_request", "Content-Type must be application/x-www-form-urlencoded"); // UNCONFIRMED wording
      }
      const form = new URLSearchParams(await c.req.text());
      if (form.get("grant_type") !== JWT_BEARER) {
        return oauthErr(c, 400, "unsupported_grant_type", `Invalid grant_type: ${form.get("grant_type") ?? ""}`);
      }
      const parts = (form.get("assertion") ?? "").split(".");
      const header = decodePart(parts[0]);
      const claims = decodePart(parts[1]);
      if (parts.length !== 3 || !header || !claims || !parts[2]) {
        return oauthErr(c, 400, "invalid_grant", "Invalid JWT: the assertion is not a JWS (header.claims.signature)"); // UNCONFIRMED wording
      }
      if (header.alg !== "RS256") return oauthErr(c, 400, "invalid_grant", "Invalid JWT Signature."); // UNCONFIRMED: Google's answer to a non-RS256 alg
      const iss = typeof claims.iss === "string" ? claims.iss : "";
      if (!/^[^@\s]+@[^@\s]+$/.test(iss)) return oauthErr(c, 400, "invalid_grant", "Invalid grant: account not found"); // UNCONFIRMED
      const own = c.req.url.split("?")[0];
      const expectedAud = [own, `${kit.baseUrl()}/fcm/token`];
      if (!expectedAud.includes(String(claims.aud))) {
        return oauthErr(c, 400, "invalid_grant", `Invalid JWT: Failed audience check. The right audience is ${own}`); // UNCONFIRMED wording
      }
      const scopes = String(claims.scope ?? "").split(/\s+/);
      if (!scopes.some((s) => SCOPES_OK.includes(s))) {
        return oauthErr(c, 400, "invalid_scope", "Invalid OAuth scope or ID token audience provided.");
      }
      const now = Math.floor(Date.now() / 1000);
      const iat = Number(claims.iat);
      const exp = Number(claims.exp);
      if (!Number.isInteger(iat) || !Number.isInteger(exp) || exp <= now || iat > now + 300 || exp - iat > 3600 || exp <= iat) {
        return oauthErr(
          c,
          400,
          "invalid_grant",
          "Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe. Check your iat and exp values in the JWT claim.",
        );
      }
      if (st().revoked.has(iss)) return oauthErr(c, 400, "invalid_grant", "Invalid JWT Signature.");
      const accessToken = `ya29.sandbox-${randomBytes(24).toString("base64url")}`;
      st().tokens.set(accessToken, { email: iss, expiresAt: Date.now() + 3600_000 });
      return c.json({ access_token: accessToken, expires_in: 3599, token_type: "Bearer" });
    });

    // ── FCM HTTP v1 send ──
    app.post("/v1/*", async (c) => {
      const m = /^\/v1\/projects\/([^/]+)\/messages:send$/.exec(c.req.path.replace(/^\/fcm/, ""));
      if (!m) return gErr(c, 404, "Requested entity was not found.");
      const project = decodeURIComponent(m[1]);

      const auth = /^Bearer\s+(\S+)$/i.exec(c.req.header("authorization") ?? "");
      const issued = auth ? st().tokens.get(auth[1]) : undefined;
      if (!issued || issued.expiresAt <= Date.now()) {
        if (issued) st().tokens.delete(auth![1]);
        return gErr(
          c,
          401,
          "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.",
        );
      }
      // a service account of another project may not send for this one
      const home = /@([a-z0-9-]+)\.iam\.gserviceaccount\.com$/i.exec(issued.email)?.[1];
      if (home && home !== project) {
        return gErr(c, 403, `Permission 'cloudmessaging.messages.create' denied on resource '//cloudresourcemanager.googleapis.com/projects/${project}' (or it may not exist).`); // UNCONFIRMED wording
      }

      let body: Record<string, unknown>;
      try {
        body = JSON.parse(await c.req.text());
      } catch {
        return gErr(c, 400, "Invalid JSON payload received. Unexpected token.");
      }
      const message = body?.message as Record<string, unknown> | undefined;
      if (!message || typeof message !== "object") return gErr(c, 400, "Request contains an invalid argument.", "INVALID_ARGUMENT");
      const violations: { field: string; description: string }[] = [];
      if (message.data !== undefined) {
        if (!message.data || typeof message.data !== "object" || Array.isArray(message.data)) {
          violations.push({ field: "message.data", description: "data must be a map of strings" });
        } else {
          Object.entries(message.data as Record<string, unknown>).forEach(([k, v], i) => {
            if (typeof v !== "string") violations.push({ field: `message.data[${i}].value`, description: `Invalid value at 'message.data[${i}].value' (TYPE_STRING), ${JSON.stringify(v)}` });
            if (/^(google|gcm)|^(from|notification|message_type)$/i.test(k)) violations.push({ field: `message.data[${i}].key`, description: `Invalid data payload key: ${k}` });
          });
        }
      }
      if (violations.length) {
        return gErr(c, 400, violations.map((v) => v.description).join("\n"), "INVALID_ARGUMENT", [
          { "@type": "type.googleapis.com/google.rpc.BadRequest", fieldViolations: violations },
        ]);
      }
      const token = typeof message.token === "string" ? message.token : "";
      if (!token) {
        // topic/condition sends exist in FCM but Switchboard only sends to device tokens
        return gErr(c, 400, "Recipient of the message is not set.", "INVALID_ARGUMENT"); // UNCONFIRMED wording
      }
      if (token.startsWith("unregistered")) return gErr(c, 404, "Requested entity was not found.", "UNREGISTERED");
      if (token.startsWith("invalid")) {
        return gErr(c, 400, "The registration token is not a valid FCM registration token", "INVALID_ARGUMENT");
      }
      if (token.startsWith("sender-mismatch")) return gErr(c, 403, "SenderId mismatch", "SENDER_ID_MISMATCH");

      if (body.validate_only === true) return c.json({ name: `projects/${project}/messages/fake_message_id` });
      const id = `0:${Date.now()}${String(Math.floor(Math.random() * 1000)).padStart(3, "0")}%${randomBytes(8).toString("hex")}`;
      const n = (message.notification ?? {}) as { title?: string; body?: string };
      const summary = [n.title, n.body].filter(Boolean).join(": ") || (message.data ? JSON.stringify(message.data) : "(empty)");
      kit.inbox.push({ provider: "fcm", kind: "push", to: token, summary: summary.slice(0, 200), payload: { project, name: `projects/${project}/messages/${id}`, message } });
      return c.json({ name: `projects/${project}/messages/${id}` });
    });
  },
};

export default fcm;
