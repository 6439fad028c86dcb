/**
 * users/{id}/authentication/methods: the methods one user registered, derived from their
 * userRegistrationDetails row (methodsRegistered) plus the password every account has. One call
 * per user: what a scanner does without the bulk report (the benchmark's naive baseline).
 */
import { createHash } from "node:crypto";
import { jsonResponse } from "../server/messages.js";
import { idOf } from "../state/graph-object.js";
import { contextUrl, type Route } from "./route.js";
import { requireUser } from "./users.js";

/** Graph's fixed id of the password method. */
const PASSWORD_METHOD_ID = "28c10230-6103-485e-b985-444c60001490";

const METHOD_TYPES: Readonly<Record<string, string>> = {
  mobilePhone: "#microsoft.graph.phoneAuthenticationMethod",
  alternateMobilePhone: "#microsoft.graph.phoneAuthenticationMethod",
  officePhone: "#microsoft.graph.phoneAuthenticationMethod",
  email: "#microsoft.graph.emailAuthenticationMethod",
  microsoftAuthenticatorPush: "#microsoft.graph.microsoftAuthenticatorAuthenticationMethod",
  microsoftAuthenticatorPasswordless: "#microsoft.graph.microsoftAuthenticatorAuthenticationMethod",
  softwareOneTimePasscode: "#microsoft.graph.softwareOathAuthenticationMethod",
  hardwareOneTimePasscode: "#microsoft.graph.hardwareOathAuthenticationMethod",
  fido2: "#microsoft.graph.fido2AuthenticationMethod",
  windowsHelloForBusiness: "#microsoft.graph.windowsHelloForBusinessAuthenticationMethod",
  temporaryAccessPass: "#microsoft.graph.temporaryAccessPassAuthenticationMethod",
};

export const authenticationMethodRoutes: readonly Route[] = [
  {
    method: "GET",
    pattern: "users/{id}/authentication/methods",
    family: "identity",
    handle: (ctx) => {
      const userId = idOf(requireUser(ctx));
      const registration = ctx.tenant.find("v1.0/reports/authenticationMethods/userRegistrationDetails", userId);
      const registered = Array.isArray(registration?.methodsRegistered)
        ? registration.methodsRegistered.filter((m): m is string => typeof m === "string")
        : [];
      const value = [
        { "@odata.type": "#microsoft.graph.passwordAuthenticationMethod", id: PASSWORD_METHOD_ID },
        ...registered.flatMap((method) => {
          const type = METHOD_TYPES[method];
          return type ? [{ "@odata.type": type, id: methodId(userId, method) }] : [];
        }),
      ];
      return jsonResponse(200, { "@odata.context": contextUrl(ctx, `users('${userId}')/authentication/methods`), value });
    },
  },
];

/** A stable GUID-shaped id per user and method. */
function methodId(userId: string, method: string): string {
  const h = createHash("sha256").update(`${userId}|${method}`).digest("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
