import { route } from "@/lib/api";
import { settingsPatch } from "@/lib/settings/schema";
import { readSettings, settingsView, updateSettings } from "@/lib/settings/service";

export const dynamic = "force-dynamic";

export const GET = route(
  {
    access: { permission: "settings.manage" },
    docs: {
      summary: "Organisation settings",
      description: "Organisation name, time zone and default currency, retention periods and the public base URL: the effective values, their defaults and where the public base URL comes from.",
      response: settingsView,
    },
  },
  async ({ req }) => readSettings(req),
);

export const PATCH = route(
  {
    access: { permission: "settings.manage" },
    body: settingsPatch,
    docs: {
      summary: "Change organisation settings",
      description: "Any subset of fields; null sets a field back to its default, an empty publicBaseUrl goes back to the environment's. Audited as settings.update with before and after.",
      response: settingsView,
    },
  },
  async ({ body, caller, req }) => updateSettings(body, caller, req),
);
