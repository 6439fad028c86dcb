/** Ways tests talk to the simulator: the real Graph SDK with @azure/identity, or raw fetch. */
import { ClientSecretCredential } from "@azure/identity";
import { Client } from "@microsoft/microsoft-graph-client";
import { TokenCredentialAuthenticationProvider } from "@microsoft/microsoft-graph-client/authProviders/azureTokenCredentials/index.js";
import { TEST_APP, type GraphSimulator } from "../../../dev/simulator/index.js";

export function credential(sim: GraphSimulator, tenantId: string, app = TEST_APP): ClientSecretCredential {
  return new ClientSecretCredential(tenantId, app.clientId, app.clientSecret ?? "", {
    authorityHost: sim.authorityHost,
    disableInstanceDiscovery: true,
  });
}

/** The SDK exactly as the product will build it: only baseUrl, customHosts and authorityHost differ. */
export function sdkClient(sim: GraphSimulator, tenantId: string): Client {
  const authProvider = new TokenCredentialAuthenticationProvider(credential(sim, tenantId), {
    scopes: ["https://graph.microsoft.com/.default"],
  });
  return Client.initWithMiddleware({ authProvider, baseUrl: sim.baseUrl, customHosts: new Set(["localhost"]) });
}

/** One Graph object in a response (properties unchecked: tests assert on them). */
export interface GraphItem {
  readonly id: string;
  readonly [property: string]: unknown;
}

/**
 * A Graph response body as tests read it: the collection, paging and error members typed, the
 * rest unknown. Members a given response lacks are simply undefined at run time.
 */
export interface GraphJson {
  readonly "@odata.context": string;
  readonly "@odata.nextLink"?: string;
  readonly "@odata.count"?: number;
  readonly value: GraphItem[];
  readonly error: { readonly code: string; readonly message: string; readonly innerError: Record<string, string> };
  readonly [property: string]: unknown;
}

export interface RawResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  /** Parsed body; undefined when empty or not JSON. */
  readonly json: GraphJson;
}

export interface RawOptions {
  readonly method?: string;
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
  /** Default: a token minted for the tenant; null sends no Authorization header. */
  readonly token?: string | null;
}

/** fetch against the simulator; `path` is relative to the base URL ("v1.0/users?$top=5"). */
export async function raw(sim: GraphSimulator, tenantId: string, path: string, options: RawOptions = {}): Promise<RawResponse> {
  const token = options.token === undefined ? sim.mintToken(tenantId) : options.token;
  const headers: Record<string, string> = { ...options.headers };
  if (token !== null) headers.Authorization = `Bearer ${token}`;
  if (options.body !== undefined) headers["Content-Type"] ??= "application/json";
  const response = await fetch(path.startsWith("https://") ? path : `${sim.baseUrl}${path}`, {
    method: options.method ?? "GET",
    headers,
    ...(options.body !== undefined ? { body: typeof options.body === "string" ? options.body : JSON.stringify(options.body) } : {}),
  });
  const text = await response.text();
  let json: unknown;
  try {
    json = text === "" ? undefined : JSON.parse(text);
  } catch {
    json = undefined; // malformed bodies are asserted through `text`
  }
  return { status: response.status, headers: response.headers, text, json: json as GraphJson };
}
