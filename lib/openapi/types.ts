// The parts of an OpenAPI 3.1 document this project writes (app/api/v1/openapi.json/document.ts) and the
// docs page reads (components/docs). Type-only: safe to import from client components.
import type { JsonSchema, Parameter } from "@/lib/openapi/schema";

export type { JsonSchema, Parameter };

export const HTTP_METHODS = ["get", "post", "put", "patch", "delete"] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];

export type Ref = { $ref: string };

export type MediaType = { schema?: JsonSchema; example?: unknown };

export type ResponseObject = {
  description: string;
  headers?: Record<string, { description?: string; schema: JsonSchema }>;
  content?: Record<string, MediaType>;
};

export type Operation = {
  operationId: string;
  summary: string;
  description?: string;
  tags: string[];
  parameters?: Parameter[];
  requestBody?: { required: boolean; description?: string; content: Record<string, MediaType> };
  responses: Record<string, ResponseObject | Ref>;
  security: Record<string, string[]>[];
  /** "public", "session" (signed-in users only) or "session-or-api-key" */
  "x-access": "public" | "session" | "session-or-api-key";
  /** the scope an API key needs (absent: API keys cannot call it) */
  "x-required-scope"?: string;
  /** the permission a signed-in user's role needs, and the roles that have it */
  "x-required-permission"?: string;
  "x-roles"?: string[];
  /** the route file serving it */
  "x-source": string;
  /** the old snake_case names the route still accepts, old → new (lib/compat.ts, docs/api-compat.md) */
  "x-aliases"?: { in: "body" | "query"; fields: Record<string, string> };
};

export type PathItem = Partial<Record<HttpMethod, Operation>>;

export type OpenApiDocument = {
  openapi: string;
  info: { title: string; version: string; description?: string };
  servers: { url: string; description?: string }[];
  tags: { name: string; description?: string }[];
  paths: Record<string, PathItem>;
  components: {
    schemas: Record<string, JsonSchema>;
    responses: Record<string, ResponseObject>;
    securitySchemes: Record<string, Record<string, unknown>>;
  };
};
