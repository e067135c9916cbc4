import { route } from "@/lib/api";
import { createMeeting, createMeetingInput, isHost, listMeetings, listMeetingsQuery } from "@/lib/meetings/service";

export const dynamic = "force-dynamic";

export const GET = route({ access: { permission: "calendar.read", scope: "calendar:read" }, query: listMeetingsQuery }, async ({ query, caller }) =>
  listMeetings(query, { host: isHost(caller) }),
);

export const POST = route({ access: { permission: "calendar.write", scope: "calendar:write" }, body: createMeetingInput }, async ({ body, caller, req }) => {
  const m = await createMeeting(body, caller, { host: isHost(caller), idempotencyKey: req.headers.get("idempotency-key") });
  return Response.json(m, { status: "replayed" in m ? 200 : 201 });
});
