/**
 * The claims of an access token this process was just issued, read to describe itself (which
 * application permissions the tenant granted), never to authorise anything: the payload is decoded,
 * not verified. An app-only token that grants nothing has no `roles` claim at all.
 * Source: Entra "Access token claims reference" (`roles`, `oid`, `tid`).
 */

export interface AccessTokenClaims {
  /** Application permissions granted in the tenant (empty when the claim is absent). */
  readonly roles: string[];
  readonly tenantId: string | null;
  /** In an app-only token, the app's service principal in the tenant. */
  readonly objectId: string | null;
}

export function accessTokenClaims(token: string): AccessTokenClaims {
  const payload = token.split(".")[1];
  if (payload === undefined) throw new TypeError("the access token is not a JWT (no payload)");
  let claims: unknown;
  try {
    claims = JSON.parse(Buffer.from(payload, "base64url").toString("utf8"));
  } catch {
    throw new TypeError("the access token's payload is not JSON");
  }
  if (typeof claims !== "object" || claims === null) throw new TypeError("the access token's payload is not a JSON object");
  const { roles, tid, oid } = claims as Record<string, unknown>;
  return {
    roles: Array.isArray(roles) ? roles.filter((r): r is string => typeof r === "string") : [],
    tenantId: typeof tid === "string" ? tid : null,
    objectId: typeof oid === "string" ? oid : null,
  };
}
