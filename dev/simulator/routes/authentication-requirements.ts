/** beta users/{id}/authentication/requirements: per-user MFA state (graph-facts §5). */
import { canonicalEnumMember } from "../metadata/graph-schema.js";
import { emptyResponse, jsonResponse } from "../server/messages.js";
import { idOf } from "../state/graph-object.js";
import { validatePatch } from "./patch-body.js";
import { contextUrl, type Route } from "./route.js";
import { requireUser } from "./users.js";

const PATTERN = "users/{id}/authentication/requirements";

export const authenticationRequirementRoutes: readonly Route[] = [
  {
    method: "GET",
    pattern: PATTERN,
    versions: ["beta"],
    family: "identity",
    handle: (ctx) => {
      const userId = idOf(requireUser(ctx));
      return jsonResponse(200, {
        "@odata.context": contextUrl(ctx, `users('${userId}')/authentication/requirements/$entity`),
        perUserMfaState: ctx.tenant.readPerUserMfaState(userId),
      });
    },
  },
  {
    method: "PATCH",
    pattern: PATTERN,
    versions: ["beta"],
    family: "identity",
    handle: (ctx) => {
      const userId = idOf(requireUser(ctx));
      const changes = validatePatch(ctx.request.body, {
        typeName: "strongAuthenticationRequirements",
        resourceName: "StrongAuthenticationRequirements",
      });
      const requested =
        typeof changes.perUserMfaState === "string" ? canonicalEnumMember("perUserMfaState", changes.perUserMfaState) : undefined;
      if (requested !== undefined) {
        // "enabled" on a user who already registered a method becomes "enforced" (authentication-update.md).
        const registration = ctx.tenant.find("v1.0/reports/authenticationMethods/userRegistrationDetails", userId);
        const state = requested === "enabled" && registration?.isMfaRegistered === true ? "enforced" : requested;
        ctx.tenant.setPerUserMfaState(userId, state);
      }
      return emptyResponse(204);
    },
  },
];
