/**
 * App Service's managed-identity endpoint, as Azure Functions (Flex Consumption included) exposes it
 * to the app through IDENTITY_ENDPOINT and IDENTITY_HEADER ("How to use managed identities for App
 * Service and Azure Functions", REST endpoint reference, learn.microsoft.com/azure/app-service/
 * overview-managed-identity#rest-endpoint-reference):
 *   GET {IDENTITY_ENDPOINT}?api-version=2019-08-01&resource=<aud>&client_id=<user-assigned id>
 *   header X-IDENTITY-HEADER: {IDENTITY_HEADER}
 *   → 200 { access_token, expires_on (epoch seconds, a string), resource, token_type, client_id }
 * The tokens are RS256 JWTs from `{authorityHost}/{identity's tenant}/v2.0`, `sub` = the identity's
 * principal id: what a federated identity credential of an app registration matches.
 */
import { generateKeyPairSync, randomUUID, type KeyObject } from "node:crypto";
import { jsonResponse, type SimResponse } from "../server/messages.js";
import type { SimulatorManagedIdentity } from "./apps.js";
import { signRs256 } from "./jwt.js";

export const MANAGED_IDENTITY_PATH = "msi/token";
const API_VERSION = "2019-08-01";
/** Managed-identity tokens live about a day (the docs promise at least 5 minutes of validity). */
const LIFETIME_SECONDS = 24 * 3600;

export interface ManagedIdentityRequest {
  readonly search: URLSearchParams;
  readonly identityHeader: string | undefined;
}

export class ManagedIdentityIssuer {
  /** The secret App Service puts in IDENTITY_HEADER; requests without it are refused. */
  readonly identityHeader = randomUUID();
  private readonly keys = generateKeyPairSync("rsa", { modulusLength: 2048 });

  constructor(
    private readonly identities: readonly SimulatorManagedIdentity[],
    private readonly now: () => number,
  ) {}

  /** The issuer of `identity`'s tokens: the one its federated identity credentials name. */
  issuerOf(authorityHost: string, tenantId: string): string {
    return `${authorityHost}/${tenantId}/v2.0`;
  }

  /** The key that verifies tokens issued for every issuer under `authorityHost` (their JWKS, in effect). */
  get verificationKey(): KeyObject {
    return this.keys.publicKey;
  }

  handle(authorityHost: string, request: ManagedIdentityRequest): SimResponse {
    if (request.identityHeader !== this.identityHeader)
      return failure(401, "The request is missing the X-IDENTITY-HEADER header or its value is wrong.");
    if (request.search.get("api-version") !== API_VERSION) return failure(400, `api-version must be ${API_VERSION}.`);
    const resource = request.search.get("resource");
    if (!resource) return failure(400, "The resource parameter is required.");
    const clientId = request.search.get("client_id");
    const identity = this.identities.find((candidate) => candidate.clientId === clientId);
    // Without client_id App Service answers for the system-assigned identity; the simulator has none.
    if (!identity) return failure(400, `No managed identity with client_id '${clientId ?? ""}' is assigned to this app.`);
    const now = Math.floor(this.now() / 1000);
    const expiresOn = now + LIFETIME_SECONDS;
    const token = signRs256(
      { kid: "simulator-managed-identity" },
      {
        aud: resource,
        iss: this.issuerOf(authorityHost, identity.tenantId),
        sub: identity.principalId,
        oid: identity.principalId,
        azp: identity.clientId,
        tid: identity.tenantId,
        iat: now,
        nbf: now,
        exp: expiresOn,
        jti: randomUUID(),
        ver: "2.0",
      },
      this.keys.privateKey,
    );
    return jsonResponse(200, {
      access_token: token,
      expires_on: String(expiresOn),
      resource,
      token_type: "Bearer",
      client_id: identity.clientId,
    });
  }
}

function failure(status: number, message: string): SimResponse {
  return jsonResponse(status, { statusCode: status, message });
}
