import { route, idParams } from "@/lib/api";
import { updateUser, updateUserInput } from "@/lib/users/service";

export const dynamic = "force-dynamic";

export const PATCH = route({ access: { permission: "users.manage" }, params: idParams, body: updateUserInput }, async ({ params, body, caller }) =>
  updateUser(params.id, body, caller),
);
