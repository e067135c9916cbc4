import { z } from "zod";
import { idParams, route } from "@/lib/api";
import { meetingRecordings } from "@/lib/meetings/service";
import { meetingRecordingsAnswer } from "@/lib/meetings/contract";

export const dynamic = "force-dynamic";

/** Asks Zoom by default; ?refresh=0 answers what was stored (from recording.completed or an earlier read) */
export const GET = route(
  {
    access: { permission: "calendar.read", scope: "calendar:read" },
    params: idParams,
    query: z.strictObject({ refresh: z.enum(["0", "1", "true", "false"]).optional() }),
    docs: { summary: "List a Zoom meeting's recordings", response: meetingRecordingsAnswer },
  },
  async ({ params, query }) => meetingRecordings(params.id, { refresh: query.refresh !== "0" && query.refresh !== "false" }),
);
