// Mobile and web apps register the FCM token of the device they run on (issue 4):
// POST { token, device_type, device_name?, user_id?, driver_id? } (camelCase accepted too).
// A signed-in user naming nobody registers the device for themselves; a driver's device key
// registers only for its driver, a non-admin user only for themselves (registrationOwner in
// lib/messaging/devices.ts; 403 otherwise, nothing written). 201 when the token is
// new, 200 when it was known (refreshed, possibly moved to its new owner). The token is
// never echoed whole. DELETE { token } forgets it (the app logged out).
import { z } from "zod";
import { json, route } from "@/lib/api";
import { errors } from "@/lib/errors";
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

const registerBody = z
  .strictObject({
    token: deviceTokenSchema,
    device_type: deviceTypeSchema.optional(),
    deviceType: deviceTypeSchema.optional(),
    device_name: name,
    deviceName: name,
    user_id: userId,
    userId,
    driver_id: driverId,
    driverId,
  })
  .superRefine((b, ctx) => {
    if (!b.device_type && !b.deviceType) {
      ctx.addIssue({ code: "custom", path: ["device_type"], message: "Say which kind of device this is: ios, android or web" });
    }
    const pairs = [["device_type", "deviceType"], ["device_name", "deviceName"], ["user_id", "userId"], ["driver_id", "driverId"]] as const;
    for (const [snake, camel] of pairs) {
      if (b[snake] != null && b[camel] != null && b[snake] !== b[camel]) {
        ctx.addIssue({ code: "custom", path: [camel], message: `${snake} and ${camel} disagree: send one of them` });
      }
    }
  });

export const POST = route(
  {
    access,
    body: registerBody,
    docs: { summary: "Register a device's push token", description: "201 when the token is new, 200 when it was known. snake_case and camelCase fields are both accepted.", status: 201 },
  },
  async ({ body, caller }) => {
    const owner = registrationOwner(registrant(caller), { userId: body.user_id ?? body.userId ?? null, driverId: body.driver_id ?? body.driverId ?? null });
    const { device, created } = await registerDeviceToken({
      token: body.token,
      deviceType: (body.device_type ?? body.deviceType)!,
      deviceName: body.device_name !== undefined ? body.device_name : body.deviceName,
      ...owner,
    });
    return json(serializeDeviceToken(device), created ? 201 : 200);
  },
);

export const DELETE = route({ access, body: z.strictObject({ token: deviceTokenSchema }), docs: { summary: "Forget a device's push token (the app logged out)" } }, async ({ body, caller }) => {
  // someone else's token is "not found" among the caller's own
  if (!(await deleteDeviceToken(body.token, deletableBy(registrant(caller))))) throw errors.notFound("Device token");
  return { deleted: true };
});
