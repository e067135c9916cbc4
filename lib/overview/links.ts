// Where each overview number leads: the list behind it, filtered with the URL parameters that
// list page itself reads (components/<area>/*-page.tsx FILTERS), from the period's start.
type Params = Record<string, string | null | undefined>;

function href(path: string, params: Params): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v) q.set(k, v);
  return q.size ? `${path}?${q}` : path;
}

export const overviewLinks = {
  /** /messages reads channel, status, from, until */
  messages: (from: string, f: { channel?: string; status?: string } = {}) => href("/messages", { channel: f.channel, status: f.status, from }),
  /** /payments reads status, currency, from, until (by creation time, like the overview) */
  payments: (from: string, f: { currency?: string; status?: string } = {}) => href("/payments", { status: f.status, currency: f.currency, from }),
  /** /webhooks reads status, from, to (by reception time) */
  webhooks: (from: string, f: { status?: string } = {}) => href("/webhooks", { status: f.status, from }),
  /** /jobs reads status (it has no time filter) */
  jobs: (f: { status?: string } = {}) => href("/jobs", { status: f.status }),
  /** /logs reads integrationId, status (success | error), from, to */
  logs: (from: string, f: { status?: "success" | "error"; integrationId?: string } = {}) => href("/logs", { integrationId: f.integrationId, status: f.status, from }),
  /** /integrations reads status */
  integrations: (f: { status?: string } = {}) => href("/integrations", { status: f.status }),
  integration: (id: string) => `/integrations/${id}`,
  alerts: () => "/alerts",
  apiKeys: () => "/api-keys",
};
