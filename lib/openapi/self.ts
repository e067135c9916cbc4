// The document's own route (app/api/v1/openapi.json/route.ts): its route() options live here so
// the document can describe it without importing the route module (which imports the document).
import type { Access, RouteDocs } from "@/lib/api";

export const OPENAPI_PATH = "/api/v1/openapi.json";

export const openApiRoute: { access: Access; docs: RouteDocs } = {
  // public: it describes the API's shape (paths, fields, scopes), the same for every instance
  // and already in the source; it holds no data, no secret and nothing about this instance's users
  access: { public: true },
  docs: {
    summary: "This API's OpenAPI 3.1 document",
    description: "Generated from the zod schemas the routes validate with. Cached by clients for 5 minutes; send If-None-Match with the ETag to get 304 when nothing changed.",
  },
};
