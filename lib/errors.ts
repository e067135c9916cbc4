// The project's error shape: { "error": { "code", "message", "details"? } }.
export type ErrorCode =
  | "validation_failed"
  | "invalid_json"
  | "unauthorized"
  | "forbidden"
  | "csrf"
  | "not_found"
  | "conflict"
  | "payload_too_large"
  | "unsupported_media_type"
  | "unprocessable"
  | "rate_limited"
  | "provider_error"
  | "unavailable"
  | "tracking_disabled"
  | "needs_reconnect"
  | "internal_error";

export class ApiError extends Error {
  constructor(
    public status: number,
    public code: ErrorCode,
    message: string,
    public details?: unknown,
    public headers?: Record<string, string>,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

export const errors = {
  validation: (message: string, details?: unknown) => new ApiError(400, "validation_failed", message, details),
  unauthorized: (message = "Sign in or send an API key (Authorization: Bearer <key>)") =>
    new ApiError(401, "unauthorized", message),
  forbidden: (message = "Your role does not allow this") => new ApiError(403, "forbidden", message),
  notFound: (what = "Resource") => new ApiError(404, "not_found", `${what} not found`),
  conflict: (message: string, details?: unknown) => new ApiError(409, "conflict", message, details),
  tooLarge: (limit: number) => new ApiError(413, "payload_too_large", `The request body exceeds ${limit} bytes`),
  unprocessable: (message: string, details?: unknown) => new ApiError(422, "unprocessable", message, details),
  rateLimited: (retryAfterSeconds: number) =>
    new ApiError(429, "rate_limited", `Too many requests: retry in ${retryAfterSeconds} s`, { retryAfterSeconds }, {
      "Retry-After": String(retryAfterSeconds),
    }),
  provider: (message: string, details?: unknown) => new ApiError(502, "provider_error", message, details),
  /** the provider's authorization is gone: an admin must connect the integration again */
  needsReconnect: (message: string) => new ApiError(409, "needs_reconnect", message),
};

export function errorBody(code: ErrorCode, message: string, details?: unknown) {
  return { error: details === undefined ? { code, message } : { code, message, details } };
}

type Issue = { path: PropertyKey[]; message: string; code?: string; keys?: string[] };

/**
 * A zod error's issues as the error shape's details: [{path: "a.b", message}]. Unknown fields
 * (zod's unrecognized_keys, one issue for all of an object's extra keys) become one detail per
 * field, named by its own path: [{path: "a.typo", message: 'Unknown field "typo"'}].
 */
export function zodDetails(e: { issues: Issue[] }) {
  return e.issues.flatMap((i) => {
    const at = i.path.map(String);
    if (i.code === "unrecognized_keys" && Array.isArray(i.keys) && i.keys.length) {
      return i.keys.map((k) => ({ path: [...at, k].join("."), message: `Unknown field "${k}"` }));
    }
    return [{ path: at.join("."), message: i.message }];
  });
}
