import { z } from "zod";
import { idParams, route } from "@/lib/api";
import { deleteMeeting, getMeeting, isHost, refreshMeeting } from "@/lib/meetings/service";
import { meetingAnswer } from "@/lib/meetings/contract";

export const dynamic = "force-dynamic";

const refreshQuery = z.strictObject({ refresh: z.enum(["0", "1", "true", "false"]).optional() });

/** ?refresh=1 asks Zoom for the meeting now (and stores what it says) */
export const GET = route(
  {
    access: { permission: "calendar.read", scope: "calendar:read" },
    params: idParams,
    query: refreshQuery,
    docs: { summary: "Get a Zoom meeting (?refresh=1 asks Zoom first)", response: meetingAnswer },
  },
  async ({ params, query, caller }) => {
    const host = isHost(caller);
    return query.refresh === "1" || query.refresh === "true" ? refreshMeeting(params.id, { host }) : getMeeting(params.id, { host });
  },
);

export const DELETE = route(
  {
    access: { permission: "calendar.write", scope: "calendar:write" },
    params: idParams,
    docs: { summary: "Delete a Zoom meeting", response: meetingAnswer },
  },
  async ({ params, caller }) =>
    deleteMeeting(params.id, caller, { host: isHost(caller) }),
);
