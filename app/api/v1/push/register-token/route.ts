// Mobile and web apps register the FCM token of the device they run on (issue 4):
// POST { token, deviceType, deviceName?, userId?, driverId? } (the old snake_case names and
// seed 000's device_type, device_name are aliases: lib/compat.ts, docs/api-compat.md).
// A signed-in user naming nobody registers the device for themselves; a driver's device key
// registers only for its driver, a non-admin user only for themselves (registrationOwner in
// lib/messaging/devices.ts; 403 otherwise, nothing written). 201 when the token is
// new, 200 when it was known (refreshed, possibly moved to its new owner). The token is
// never echoed whole. DELETE { token } forgets it (the app logged out).
import { z } from "zod";
import { json, route } from "@/lib/api";
import { errors } from "@/lib/errors";
import { withAliases } from "@/lib/compat";
import type { Caller } from "@/lib/api";
import {
  deletableBy,
  deleteDeviceToken,
  deviceTokenSchema,
  deviceTypeSchema,
  registerDeviceToken,
  registrationOwner,
  serializeDeviceToken,
  type DeviceRegistrant,
} from "@/lib/messaging/devices";
import { deletedAnswer, deviceTokenView } from "@/lib/messaging/contract";

export const dynamic = "force-dynamic";

const access = { permission: "messages.send", scope: "push:register" } as const;

function registrant(caller: Caller): DeviceRegistrant {
  if (caller.kind === "api_key") return { kind: "api_key", driverId: caller.key.driverId };
  if (caller.kind === "user") return { kind: "user", userId: caller.user.id, admin: caller.user.role === "admin" };
  throw errors.unauthorized();
}

const name = z.string().trim().max(200, "At most 200 characters").nullish();
const userId = z.string().uuid("Not a valid user id").nullish();
const driverId = z.string().uuid("Not a valid driver id").nullish();

const registerBody = withAliases(
  "POST /api/v1/push/register-token",
  z.strictObject({
    token: deviceTokenSchema,
    deviceType: deviceTypeSchema.optional(),
    deviceName: name,
    userId,
    driverId,
  }),
).superRefine((b, ctx) => {
  if (!b.deviceType) ctx.addIssue({ code: "custom", path: ["deviceType"], message: "Say which kind of device this is: ios, android or web" });
});

export const POST = route(
  {
    access,
    body: registerBody,
    docs: { summary: "Register a device's push token", description: "201 when the token is new, 200 when it was known.", status: 201, response: deviceTokenView },
  },
  async ({ body, caller }) => {
    const owner = registrationOwner(registrant(caller), { userId: body.userId ?? null, driverId: body.driverId ?? null });
    const { device, created } = await registerDeviceToken({
      token: body.token,
      deviceType: body.deviceType!,
      deviceName: body.deviceName,
      ...owner,
    });
    return json(serializeDeviceToken(device), created ? 201 : 200);
  },
);

export const DELETE = route({ access, body: z.strictObject({ token: deviceTokenSchema }), docs: { summary: "Forget a device's push token (the app logged out)", response: deletedAnswer } }, async ({ body, caller }) => {
  // someone else's token is "not found" among the caller's own
  if (!(await deleteDeviceToken(body.token, deletableBy(registrant(caller))))) throw errors.notFound("Device token");
  return { deleted: true };
});
