import {
  ClientAssertionCredential,
  ClientCertificateCredential,
  ClientSecretCredential,
  ManagedIdentityCredential,
  type TokenCredential,
} from "@azure/identity";
import type { GraphCredentialSettings, GraphSettings } from "../config/settings.js";
import { cloudOfAuthority } from "../config/clouds.js";

/** Microsoft's own authority hosts; any other host (the simulator) needs instance discovery off. */
const MICROSOFT_AUTHORITIES = new Set(["login.microsoftonline.com", "login.microsoftonline.us", "login.chinacloudapi.cn"]);

export class MissingCredentialError extends Error {
  override readonly name = "MissingCredentialError";
  constructor() {
    super(
      "No Graph app registration is configured: set GRAPH_CLIENT_ID and one credential " +
        "(GRAPH_MANAGED_IDENTITY_CLIENT_ID, GRAPH_CLIENT_CERTIFICATE or GRAPH_CLIENT_CERTIFICATE_PATH, or GRAPH_CLIENT_SECRET).",
    );
  }
}

/**
 * The multi-tenant app registration's credential for one customer tenant (client-credential flow,
 * token issued by that tenant). The same code path runs against the simulator's token endpoint.
 */
export function createTenantCredential(settings: GraphSettings, tenantId: string): TokenCredential {
  const app = settings.credential;
  if (!app) throw new MissingCredentialError();
  const options = {
    authorityHost: settings.authorityHost,
    disableInstanceDiscovery: !MICROSOFT_AUTHORITIES.has(new URL(settings.authorityHost).hostname),
  };
  switch (app.kind) {
    case "managed-identity": {
      const assertion = managedIdentityAssertion(app, settings.authorityHost);
      return new ClientAssertionCredential(tenantId, app.clientId, assertion, options);
    }
    case "certificate":
      return "pem" in app.certificate
        ? new ClientCertificateCredential(tenantId, app.clientId, { certificate: app.certificate.pem }, options)
        : new ClientCertificateCredential(tenantId, app.clientId, { certificatePath: app.certificate.path }, options);
    case "secret":
      return new ClientSecretCredential(tenantId, app.clientId, app.clientSecret, options);
  }
}

/**
 * The client assertion for a managed identity that the app registration trusts as a federated
 * identity credential: the identity's own token for the cloud's token-exchange audience
 * ("Configure an application to trust a managed identity", learn.microsoft.com/entra/workload-id/
 * workload-identity-federation-config-app-trust-managed-identity; user-assigned identities only).
 * The identity credential caches its token, so each assertion costs no round trip until it nears expiry.
 */
function managedIdentityAssertion(
  app: Extract<GraphCredentialSettings, { kind: "managed-identity" }>,
  authorityHost: string,
): () => Promise<string> {
  const identity = new ManagedIdentityCredential({ clientId: app.managedIdentityClientId });
  const scope = `${cloudOfAuthority(authorityHost).tokenExchangeAudience}/.default`;
  return async () => (await identity.getToken(scope)).token;
}
