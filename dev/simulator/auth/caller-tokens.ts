/**
 * Access tokens for an API of the MSP's own (tenant-patrol's app registration exposing app roles),
 * as Entra issues them to a caller app with the client credentials flow
 * (`scope=<the API's client id or Application ID URI>/.default`). Unlike the simulator's Graph
 * tokens, these are checked by a product that is not Graph, so they are what Entra's are:
 * RS256-signed JWTs whose keys are published at the tenant's `jwks_uri`, found through OpenID
 * Connect discovery.
 *
 * Claims (Microsoft identity platform, "Access token claims reference",
 * https://learn.microsoft.com/entra/identity-platform/access-token-claims-reference): v2.0 tokens
 * (the API's manifest sets `requestedAccessTokenVersion: 2`) carry `iss`
 * `https://login.microsoftonline.com/{tid}/v2.0` (v1.0: `https://sts.windows.net/{tid}/`), `aud` the
 * API's client id (v1.0: the Application ID URI as requested), `azp` the caller app's id (v1.0:
 * `appid`), `azpacr` how it authenticated (1 = secret), `roles` the app roles granted to the caller,
 * `tid`, `oid`/`sub` the caller's service principal, `idtyp` `app`, `ver` `2.0`. Header `kid` names
 * the signing key in the JWKS ("OpenID Connect on the Microsoft identity platform",
 * https://learn.microsoft.com/entra/identity-platform/v2-protocols-oidc: discovery document at
 * `{authority}/{tenant}/v2.0/.well-known/openid-configuration`, `jwks_uri`
 * `{authority}/{tenant}/discovery/v2.0/keys`).
 */
import { createHash, generateKeyPairSync, randomUUID, sign, type KeyObject } from "node:crypto";
import type { Clock } from "../clock.js";
import { DEFAULT_TOKEN_LIFETIME_SECONDS } from "./access-tokens.js";

export interface CallerTokenClaims {
  /** The issuing tenant (the MSP's, where both app registrations live). */
  readonly tenantId: string;
  /** The API's client id (`aud` of a v2 token). */
  readonly audience: string;
  /** The caller app's client id (`azp`). */
  readonly appId: string;
  readonly roles: readonly string[];
  /** Negative values mint an already expired token (tests). */
  readonly lifetimeSeconds?: number;
}

const base64url = (value: string | Buffer): string => Buffer.from(value).toString("base64url");

export class CallerTokenIssuer {
  private readonly privateKey: KeyObject;
  private readonly publicKey: KeyObject;
  readonly keyId: string;

  constructor(
    private readonly clock: Clock,
    private readonly authorityHost: () => string,
  ) {
    const pair = generateKeyPairSync("rsa", { modulusLength: 2048 });
    this.privateKey = pair.privateKey;
    this.publicKey = pair.publicKey;
    this.keyId = createHash("sha256")
      .update(pair.publicKey.export({ format: "der", type: "spki" }))
      .digest("base64url")
      .slice(0, 27);
  }

  issuer(tenantId: string): string {
    return `${this.authorityHost()}/${tenantId}/v2.0`;
  }

  /** The JWKS document: the one signing key, as Entra publishes its keys (kty, use, kid, n, e). */
  jwks(): { keys: Record<string, unknown>[] } {
    const { n, e } = this.publicKey.export({ format: "jwk" });
    return { keys: [{ kty: "RSA", use: "sig", kid: this.keyId, n, e, alg: "RS256" }] };
  }

  mint(claims: CallerTokenClaims): string {
    const now = Math.floor(this.clock.now() / 1000);
    const servicePrincipal = randomUUID();
    const header = base64url(JSON.stringify({ typ: "JWT", alg: "RS256", kid: this.keyId }));
    const payload = base64url(
      JSON.stringify({
        aud: claims.audience,
        iss: this.issuer(claims.tenantId),
        iat: now,
        nbf: now,
        exp: now + (claims.lifetimeSeconds ?? DEFAULT_TOKEN_LIFETIME_SECONDS),
        azp: claims.appId,
        azpacr: "1",
        idtyp: "app",
        oid: servicePrincipal,
        roles: [...claims.roles],
        sub: servicePrincipal,
        tid: claims.tenantId,
        uti: randomUUID(),
        ver: "2.0",
      }),
    );
    const signature = sign("sha256", Buffer.from(`${header}.${payload}`), this.privateKey);
    return `${header}.${payload}.${base64url(signature)}`;
  }
}
