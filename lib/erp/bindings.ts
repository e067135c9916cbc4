// What the ERP area does on 1C's behalf (issue 17: lib/providers/bindings.ts): the sync types the
// 1C provider declares run here, where the links between the CRM's rows and 1C's objects live.
// Loaded by the wiring.
import { bindProvider } from "@/lib/providers/bindings";
import type { OneCContext } from "@/lib/providers/onec/client";
import { runErpSync } from "@/lib/erp/auto";

bindProvider("erp", "onec", { sync: (ctx, run) => runErpSync(ctx as unknown as OneCContext, run) });
