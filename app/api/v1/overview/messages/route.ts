import { overviewRoute } from "@/lib/overview/route";

export const dynamic = "force-dynamic";

export const GET = overviewRoute("messages");
