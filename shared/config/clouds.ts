/**
 * Microsoft's national clouds: each has its own Graph host and sign-in authority, and Graph refuses
 * a token issued for another cloud's Graph. Source: Microsoft Graph "National cloud deployments"
 * (learn.microsoft.com/graph/deployments), endpoint table; Germany's cloud is retired.
 */

export interface GraphCloud {
  readonly name: string;
  /** Graph's host in this cloud (also its resource identifier: the token scope is `https://<host>/.default`). */
  readonly graphHost: string;
  /** The Entra ID authority host that issues tokens for it. */
  readonly authorityHost: string;
  /**
   * The audience of a managed identity's token used as a federated client assertion in this cloud
   * ("Configure an application to trust a managed identity", learn.microsoft.com/entra/workload-id/
   * workload-identity-federation-config-app-trust-managed-identity, "audience" per cloud).
   */
  readonly tokenExchangeAudience: string;
}

export const GRAPH_CLOUDS: readonly GraphCloud[] = [
  {
    name: "global",
    graphHost: "graph.microsoft.com",
    authorityHost: "login.microsoftonline.com",
    tokenExchangeAudience: "api://AzureADTokenExchange",
  },
  {
    name: "US Government L4",
    graphHost: "graph.microsoft.us",
    authorityHost: "login.microsoftonline.us",
    tokenExchangeAudience: "api://AzureADTokenExchangeUSGov",
  },
  {
    name: "US Government L5 (DOD)",
    graphHost: "dod-graph.microsoft.us",
    authorityHost: "login.microsoftonline.us",
    tokenExchangeAudience: "api://AzureADTokenExchangeUSGov",
  },
  {
    name: "China (operated by 21Vianet)",
    graphHost: "microsoftgraph.chinacloudapi.cn",
    authorityHost: "login.chinacloudapi.cn",
    tokenExchangeAudience: "api://AzureADTokenExchangeChina",
  },
];

const GLOBAL = GRAPH_CLOUDS[0] as GraphCloud;

/** The cloud whose Graph serves `baseUrl`; undefined for another host (the simulator, a test proxy). */
export function cloudOfGraph(baseUrl: string): GraphCloud | undefined {
  const host = new URL(baseUrl).hostname.toLowerCase();
  return GRAPH_CLOUDS.find((cloud) => cloud.graphHost === host);
}

/**
 * The token scope for Graph at `baseUrl`: its cloud's Graph resource. A host outside the table
 * stands in for global Graph (the simulator issues tokens for graph.microsoft.com only).
 */
export function graphScope(baseUrl: string): string {
  return `https://${(cloudOfGraph(baseUrl) ?? GLOBAL).graphHost}/.default`;
}

/** The cloud whose Entra ID is at `authorityHost`; a host outside the table (the simulator) stands in for global. */
export function cloudOfAuthority(authorityHost: string): GraphCloud {
  const host = new URL(authorityHost).hostname.toLowerCase();
  return GRAPH_CLOUDS.find((cloud) => cloud.authorityHost === host) ?? GLOBAL;
}

/**
 * Why GRAPH_BASE_URL and GRAPH_AUTHORITY_HOST cannot work together (a Microsoft Graph host of one
 * cloud with a Microsoft authority of another), or undefined. Hosts outside the table are not judged.
 */
export function cloudMismatch(baseUrl: string, authorityHost: string): string | undefined {
  const graph = cloudOfGraph(baseUrl);
  const authority = new URL(authorityHost).hostname.toLowerCase();
  const authorityClouds = GRAPH_CLOUDS.filter((cloud) => cloud.authorityHost === authority);
  if (!graph || authorityClouds.length === 0 || authorityClouds.includes(graph)) return undefined;
  return `is ${authority}, which signs in to ${authorityClouds.map((c) => c.name).join(" / ")}, but GRAPH_BASE_URL is ${graph.name} Graph (${graph.graphHost}): use https://${graph.authorityHost}`;
}
