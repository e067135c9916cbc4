// The project's error shape: { "error": { "code", "message", "details"? } }, and the one place
// zod's issues become words a person reads (the API's details and the dashboard's forms alike).
import { z } from "zod";

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
  | "internal_error"
  /** tests only: an answer that does not match its route's declared response (lib/api.ts checkResponse) */
  | "response_contract";

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

type Issue = {
  path: PropertyKey[];
  message: string;
  code?: string;
  keys?: string[];
  input?: unknown;
  expected?: string;
  origin?: string;
  minimum?: number | bigint;
  maximum?: number | bigint;
  inclusive?: boolean;
  exact?: boolean;
  format?: string;
  prefix?: string;
  suffix?: string;
  includes?: string;
  values?: unknown[];
  divisor?: number;
};

const plural = (n: number | bigint, one: string, many = `${one}s`) => `${n} ${Number(n) === 1 ? one : many}`;
const listOf = (values: unknown[]) => values.map((v) => (typeof v === "string" ? v : JSON.stringify(v))).join(", ");

const EXPECTED: Record<string, string> = {
  string: "Enter text",
  number: "Enter a number",
  int: "Enter a whole number",
  bigint: "Enter a whole number",
  boolean: "Choose yes or no",
  date: "Enter a date",
  array: "Enter a list",
  tuple: "Enter a list",
  set: "Enter a list",
  object: "Enter a group of fields",
  record: "Enter a group of fields",
  map: "Enter a group of fields",
  nan: "Enter a number",
};

const FORMATS: Record<string, string> = {
  email: "Enter a valid e-mail address",
  url: "Enter a valid URL, e.g. https://example.com",
  uuid: "Not a valid id",
  guid: "Not a valid id",
  cuid: "Not a valid id",
  cuid2: "Not a valid id",
  ulid: "Not a valid id",
  nanoid: "Not a valid id",
  datetime: "Enter a date and time",
  date: "Enter a date",
  time: "Enter a time",
  duration: "Enter a duration",
  ipv4: "Enter an IP address",
  ipv6: "Enter an IP address",
  cidrv4: "Enter an address range",
  cidrv6: "Enter an address range",
  base64: "Not valid base64",
  base64url: "Not valid base64",
  e164: "Enter the number with its country code, e.g. +7 999 123-45-67",
  jwt: "Not a valid token",
  emoji: "Enter an emoji",
  hostname: "Enter a host name",
};

/**
 * Plain English for a zod issue by its code ("Required", "Enter at least 3 characters",
 * "Choose one of: a, b"). Never zod's own "Invalid input: expected …" text. Schemas that carry
 * their own message keep it: zod only asks this map when a schema gave none.
 */
export function humanIssue(i: Issue): string {
  const isString = i.origin === "string";
  const isList = i.origin === "array" || i.origin === "set";
  switch (i.code) {
    case "invalid_type":
      if (i.input === undefined || (i.input === null && i.expected !== "null")) return "Required";
      return EXPECTED[i.expected ?? ""] ?? "Enter a valid value";
    case "too_small": {
      const n = i.minimum ?? 0;
      if (isString) {
        if (i.exact) return `Enter exactly ${plural(n, "character")}`;
        if (Number(n) <= 1 || i.input === "") return "Required";
        return `Enter at least ${plural(n, "character")}`;
      }
      if (isList) {
        if (i.exact) return `Give exactly ${plural(n, "item")}`;
        return Number(n) <= 1 ? "Add at least one" : `Add at least ${plural(n, "item")}`;
      }
      if (i.origin === "date") return "Choose a later date";
      return i.inclusive === false ? `Enter a number greater than ${n}` : `Enter ${n} or more`;
    }
    case "too_big": {
      const n = i.maximum ?? 0;
      if (isString) return i.exact ? `Enter exactly ${plural(n, "character")}` : `Enter at most ${plural(n, "character")}`;
      if (isList) return i.exact ? `Give exactly ${plural(n, "item")}` : `Give at most ${plural(n, "item")}`;
      if (i.origin === "date") return "Choose an earlier date";
      if (i.origin === "file") return "The file is too large";
      return i.inclusive === false ? `Enter a number less than ${n}` : `Enter ${n} or less`;
    }
    case "invalid_format":
      if (i.format === "starts_with" && i.prefix) return `Must start with "${i.prefix}"`;
      if (i.format === "ends_with" && i.suffix) return `Must end with "${i.suffix}"`;
      if (i.format === "includes" && i.includes) return `Must contain "${i.includes}"`;
      return FORMATS[i.format ?? ""] ?? "Not in the right format";
    case "invalid_value": {
      const values = i.values ?? [];
      if (values.length === 1) return `Must be ${listOf(values)}`;
      return values.length ? `Choose one of: ${listOf(values)}` : "Choose a valid option";
    }
    case "not_multiple_of":
      return `Enter a multiple of ${i.divisor}`;
    case "unrecognized_keys":
      return (i.keys ?? []).length === 1 ? `Unknown field "${i.keys![0]}"` : `Unknown fields: ${(i.keys ?? []).join(", ")}`;
    case "invalid_union":
      return i.input === undefined ? "Required" : "Enter a valid value";
    case "invalid_key":
      return "Not a valid name";
    case "invalid_element":
      return "Not a valid item";
    default:
      return "Enter a valid value";
  }
}

// zod's default English (its locale): an issue that still reads like this was not given a
// message by its schema and gets ours, even where zod's global map was bypassed.
const ZOD_DEFAULT = /^(Invalid input|Invalid option|Invalid string|Invalid key|Invalid element|Invalid number|Too small|Too big|Unrecognized key|Invalid$)/;

// Every zod parse in this process (server or browser) that imports this module speaks plainly.
z.config({ customError: (iss) => humanIssue(iss as unknown as Issue) });

/**
 * A zod error's issues as the error shape's details: [{path: "a.b", message}], in plain
 * English (humanIssue). Unknown fields (zod's unrecognized_keys, one issue for all of an
 * object's extra keys) become one detail per field, named by its own path:
 * [{path: "a.typo", message: 'Unknown field "typo"'}].
 */
export function zodDetails(e: { issues: Issue[] }) {
  return e.issues.flatMap((i) => {
    const at = i.path.map(String);
    if (i.code === "unrecognized_keys" && Array.isArray(i.keys) && i.keys.length) {
      return i.keys.map((k) => ({ path: [...at, k].join("."), message: `Unknown field "${k}"` }));
    }
    // a finished issue no longer carries its input: zod's own text says whether one was given
    const given = i.code === "invalid_type" && !/received (undefined|null)\b/.test(i.message ?? "");
    const message = !i.message || ZOD_DEFAULT.test(i.message) ? humanIssue(given ? { ...i, input: i.input ?? Symbol("given") } : i) : i.message;
    return [{ path: at.join("."), message }];
  });
}

/** The saved authorization is gone (invalid_grant, revoked, never connected): a person must connect again. */
export class OAuthReconnectError extends Error {
  readonly code = "needs_reconnect";
  constructor(message: string) {
    super(message);
    this.name = "OAuthReconnectError";
  }
}
