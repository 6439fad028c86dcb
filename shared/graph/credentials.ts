import { ClientCertificateCredential, ClientSecretCredential, type TokenCredential } from "@azure/identity";
import type { GraphSettings } from "../config/settings.js";

/** Microsoft's own authority hosts; any other host (the simulator) needs instance discovery off. */
const MICROSOFT_AUTHORITIES = new Set(["login.microsoftonline.com", "login.microsoftonline.us", "login.chinacloudapi.cn"]);

export class MissingCredentialError extends Error {
  override readonly name = "MissingCredentialError";
  constructor() {
    super("No Graph app registration is configured: set GRAPH_CLIENT_ID and GRAPH_CLIENT_SECRET (or GRAPH_CLIENT_CERTIFICATE_PATH).");
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
  return app.kind === "secret"
    ? new ClientSecretCredential(tenantId, app.clientId, app.clientSecret, options)
    : new ClientCertificateCredential(tenantId, app.clientId, { certificatePath: app.certificatePath }, options);
}
