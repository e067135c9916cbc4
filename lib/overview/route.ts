// The overview's API routes are alike: any signed-in role (overview.read), API keys with the
// scope of the data the card counts, a `period` query string, one aggregate (lib/overview/queries).
import { route } from "@/lib/api";
import { periodQuery, windowOf } from "@/lib/overview/period";
import { OVERVIEW_CARDS } from "@/lib/overview/queries";

export function overviewRoute(name: keyof typeof OVERVIEW_CARDS) {
  const c = OVERVIEW_CARDS[name];
  return route(
    {
      access: { permission: "overview.read", scope: c.scope },
      query: periodQuery,
      docs: { summary: c.summary, description: c.description, response: c.response },
    },
    async ({ query }) => c.count(windowOf(query.period)),
  );
}
