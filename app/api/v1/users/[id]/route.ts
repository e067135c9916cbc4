import { route, idParams } from "@/lib/api";
import { updateUser } from "@/lib/users/service";
import { updateUserInput, userItem } from "@/lib/users/contract";

export const dynamic = "force-dynamic";

export const PATCH = route(
  {
    access: { permission: "users.manage" },
    params: idParams,
    body: updateUserInput,
    docs: { summary: "Change a user's name, role or active state", response: userItem },
  },
  async ({ params, body, caller }) =>
    updateUser(params.id, body, caller),
);
