/**
 * Access tokens the simulator mints and Graph requests must carry. HS256 JWTs signed with a
 * per-simulator secret: clients never look inside (real Graph tokens are opaque to them too), and
 * the signature makes a token whose `tid` was edited worthless, so tenant A's token can never
 * read tenant B. Claims follow Entra's v1 app-only tokens (aud, iss, tid, appid, idtyp).
 */
import { createHmac, randomBytes, randomUUID, timingSafeEqual } from "node:crypto";
import type { Clock } from "../clock.js";
import { graphErrors } from "../errors.js";

export const GRAPH_AUDIENCE = "https://graph.microsoft.com";
/** Entra's usual lifetime for app tokens (expires_in 3599). */
export const DEFAULT_TOKEN_LIFETIME_SECONDS = 3599;

export interface TokenPrincipal {
  readonly tenantId: string;
  readonly appId: string;
  /** Application permissions consented in the tenant when the token was issued. */
  readonly roles: readonly string[];
}

export interface MintOptions {
  readonly tenantId: string;
  readonly appId: string;
  /** The `roles` claim: application permissions consented in the tenant. */
  readonly roles: readonly string[];
  /** Negative values mint an already expired token (tests). */
  readonly lifetimeSeconds?: number;
}

const base64url = (value: string | Buffer): string => Buffer.from(value).toString("base64url");

export class TokenAuthority {
  private readonly secret = randomBytes(32);

  constructor(private readonly clock: Clock) {}

  mint({ tenantId, appId, roles, lifetimeSeconds = DEFAULT_TOKEN_LIFETIME_SECONDS }: MintOptions): string {
    const now = Math.floor(this.clock.now() / 1000);
    const header = base64url(JSON.stringify({ typ: "JWT", alg: "HS256" }));
    const payload = base64url(
      JSON.stringify({
        aud: GRAPH_AUDIENCE,
        iss: `https://sts.windows.net/${tenantId}/`,
        iat: now,
        nbf: now,
        exp: now + lifetimeSeconds,
        appid: appId,
        idtyp: "app",
        oid: randomUUID(),
        roles: [...roles],
        tid: tenantId,
        uti: randomBytes(16).toString("base64url"),
        ver: "1.0",
      }),
    );
    return `${header}.${payload}.${this.sign(`${header}.${payload}`)}`;
  }

  /** The tenant and app a bearer token speaks for, or Graph's 401 InvalidAuthenticationToken. */
  verify(authorization: string | undefined): TokenPrincipal {
    const token = /^Bearer\s+(\S+)$/i.exec(authorization ?? "")?.[1];
    if (token === undefined) throw graphErrors.invalidToken("Access token is empty.");
    const parts = token.split(".");
    const [header, payload, signature] = parts;
    if (parts.length !== 3 || header === undefined || payload === undefined || signature === undefined) {
      throw graphErrors.invalidToken("IDX14100: JWT is not well formed, there are no dots (.).");
    }
    const expected = Buffer.from(this.sign(`${header}.${payload}`));
    const actual = Buffer.from(signature);
    if (expected.length !== actual.length || !timingSafeEqual(expected, actual)) {
      throw graphErrors.invalidToken("Access token validation failure. Invalid signature.");
    }
    const claims = JSON.parse(Buffer.from(payload, "base64url").toString()) as Record<string, unknown>;
    if (claims.aud !== GRAPH_AUDIENCE) throw graphErrors.invalidToken("Access token validation failure. Invalid audience.");
    if (typeof claims.exp !== "number" || claims.exp * 1000 <= this.clock.now()) {
      throw graphErrors.invalidToken("Lifetime validation failed, the token is expired.");
    }
    if (typeof claims.tid !== "string" || typeof claims.appid !== "string") {
      throw graphErrors.invalidToken("Access token validation failure.");
    }
    const roles = Array.isArray(claims.roles) ? claims.roles.filter((role): role is string => typeof role === "string") : [];
    return { tenantId: claims.tid, appId: claims.appid, roles };
  }

  private sign(data: string): string {
    return createHmac("sha256", this.secret).update(data).digest("base64url");
  }
}
