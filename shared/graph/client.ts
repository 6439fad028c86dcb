import type { TokenCredential } from "@azure/identity";
import { AuthenticationHandler, Client, HTTPMessageHandler, TelemetryHandler } from "@microsoft/microsoft-graph-client";
import { TokenCredentialAuthenticationProvider } from "@microsoft/microsoft-graph-client/authProviders/azureTokenCredentials/index.js";
import { graphScope } from "../config/clouds.js";
import type { Pacer } from "./pacer.js";
import { PacingMiddleware } from "./pacing-middleware.js";
import { RetryMiddleware, type RetryMiddlewareOptions } from "./retry-middleware.js";
import { GraphCallStats } from "./stats.js";

export const GRAPH_DEFAULT_BASE_URL = "https://graph.microsoft.com/";

export interface GraphClientOptions {
  readonly credential: TokenCredential;
  /** `https://graph.microsoft.com/` in Azure; the simulator's https URL locally. */
  readonly baseUrl?: string;
  readonly retry?: Omit<RetryMiddlewareOptions, "stats">;
  /** Pace requests under Graph's request-count limits (the scan does; one-off calls need not). */
  readonly pacing?: { readonly pacer: Pacer; readonly tenantId: string };
}

export interface TenantGraph {
  readonly client: Client;
  readonly stats: GraphCallStats;
  /** The pacer this client waits on, when it paces (a continued scan carries its state over). */
  readonly pacer?: Pacer;
}

/**
 * A Graph SDK client for one tenant: the SDK's own auth, telemetry and HTTP handlers with our
 * retry middleware in place of its RetryHandler, and optionally pacing inside the retries.
 * Non-default hosts must be listed in `customHosts` (by hostname, without port) or the SDK drops
 * the Authorization header.
 */
export function createGraphClient(options: GraphClientOptions): TenantGraph {
  const baseUrl = options.baseUrl ?? GRAPH_DEFAULT_BASE_URL;
  const stats = new GraphCallStats();
  // A national cloud's Graph refuses a token for another cloud's: the scope follows the base URL.
  const authProvider = new TokenCredentialAuthenticationProvider(options.credential, { scopes: [graphScope(baseUrl)] });
  const client = Client.initWithMiddleware({
    baseUrl,
    customHosts: new Set([new URL(baseUrl).hostname]),
    middleware: [
      new AuthenticationHandler(authProvider),
      new RetryMiddleware({ ...options.retry, stats }),
      ...(options.pacing ? [new PacingMiddleware({ ...options.pacing, stats })] : []),
      new TelemetryHandler(),
      new HTTPMessageHandler(),
    ],
  });
  return options.pacing ? { client, stats, pacer: options.pacing.pacer } : { client, stats };
}
