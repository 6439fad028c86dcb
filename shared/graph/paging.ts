import type { Client } from "@microsoft/microsoft-graph-client";

export type GraphVersion = "v1.0" | "beta";

export interface ListRequest {
  /** Resource path without version, e.g. `/users`. */
  readonly path: string;
  readonly version?: GraphVersion;
  readonly select?: readonly string[];
  readonly expand?: string;
  readonly filter?: string;
  readonly top?: number;
  readonly headers?: Readonly<Record<string, string>>;
}

export interface ListOptions {
  /** An `@odata.nextLink` from an earlier page: continue there instead of starting over. */
  readonly continuationToken?: string;
}

export interface Page<T> {
  readonly items: T[];
  /** Absent on the last page; opaque, usable as `continuationToken`. */
  readonly continuationToken?: string;
}

interface CollectionResponse<T> {
  value?: T[];
  "@odata.nextLink"?: string;
}

/**
 * Pages of a Graph collection, following `@odata.nextLink`. Headers are sent again on every page
 * because Graph does not carry ConsistencyLevel over to next links.
 */
export async function* listPages<T>(client: Client, request: ListRequest, options: ListOptions = {}): AsyncGenerator<Page<T>> {
  let next: string | undefined = options.continuationToken;
  let first = next === undefined;
  while (first || next !== undefined) {
    const api = first ? firstPageRequest(client, request) : client.api(next as string);
    first = false;
    for (const [name, value] of Object.entries(request.headers ?? {})) api.header(name, value);
    const body = (await api.get()) as CollectionResponse<T> | undefined;
    if (!body || !Array.isArray(body.value)) {
      throw new TypeError(`Graph answered ${request.path} without a "value" array`);
    }
    next = body["@odata.nextLink"];
    yield next === undefined ? { items: body.value } : { items: body.value, continuationToken: next };
  }
}

function firstPageRequest(client: Client, request: ListRequest) {
  const api = client.api(request.path).version(request.version ?? "v1.0");
  if (request.select) api.select([...request.select]);
  if (request.expand) api.expand(request.expand);
  if (request.filter) api.filter(request.filter);
  if (request.top !== undefined) api.top(request.top);
  return api;
}

/** Every item of a collection. For small collections; big ones should consume pages. */
export async function listAll<T>(client: Client, request: ListRequest): Promise<T[]> {
  const all: T[] = [];
  for await (const page of listPages<T>(client, request)) all.push(...page.items);
  return all;
}
