import { route } from "@/lib/api";
import { createMeeting, isHost, listMeetings } from "@/lib/meetings/service";
import { createdMeeting, createMeetingInput, listMeetingsQuery, meetingList } from "@/lib/meetings/contract";

export const dynamic = "force-dynamic";

export const GET = route(
  {
    access: { permission: "calendar.read", scope: "calendar:read" },
    query: listMeetingsQuery,
    docs: { summary: "List Zoom meetings", response: meetingList },
  },
  async ({ query, caller }) =>
    listMeetings(query, { host: isHost(caller) }),
);

export const POST = route(
  {
    access: { permission: "calendar.write", scope: "calendar:write" },
    body: createMeetingInput,
    docs: { summary: "Create a Zoom meeting", description: "200 with the first meeting when the Idempotency-Key was used before.", status: 201, idempotent: true, response: createdMeeting },
    idempotency: true,
  },
  async ({ body, caller }) => Response.json(await createMeeting(body, caller, { host: isHost(caller) }), { status: 201 }),
);
