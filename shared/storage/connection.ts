/**
 * Table clients from the storage setting: a connection string (Azurite, or an account key), or an
 * endpoint with a TokenCredential (managed identity in Azure). Each table is created once per store.
 */
import { TableClient, type TableServiceClientOptions } from "@azure/data-tables";
import { DefaultAzureCredential, ManagedIdentityCredential, type TokenCredential } from "@azure/identity";
import type { StorageSettings } from "../config/settings.js";
import { resendOnBrokenPipePolicy } from "./broken-connection-policy.js";

export type TableStorageSetting =
  /** Includes `UseDevelopmentStorage=true` and explicit Azurite strings with http endpoints. */
  | { readonly connectionString: string }
  /** e.g. `https://<account>.table.core.windows.net`. */
  | { readonly tableEndpoint: string; readonly credential: TokenCredential }
  | { readonly accountName: string; readonly credential: TokenCredential };

export interface TableStoreOptions {
  /**
   * Prepended to every table name so tests and several deployments can share one account.
   * Letters and digits, starting with a letter (table names must).
   */
  readonly tableNamePrefix?: string;
}

const PREFIX = /^(?:[A-Za-z][A-Za-z0-9]*)?$/;
const TABLE_NAME = /^[A-Za-z][A-Za-z0-9]{2,62}$/;

/** Hands out ready-to-use table clients; the table behind each is created on first use. */
export class TableStore {
  readonly #setting: TableStorageSetting;
  readonly #prefix: string;
  readonly #ready = new Map<string, Promise<TableClient>>();

  constructor(setting: TableStorageSetting, options: TableStoreOptions = {}) {
    const prefix = options.tableNamePrefix ?? "";
    if (!PREFIX.test(prefix)) throw new RangeError(`tableNamePrefix must be alphanumeric and start with a letter: ${prefix}`);
    this.#setting = setting;
    this.#prefix = prefix;
  }

  /** Full table name for `name`, prefix included. */
  tableName(name: string): string {
    const full = `${this.#prefix}${name}`;
    if (!TABLE_NAME.test(full)) throw new RangeError(`Invalid table name: ${full}`);
    return full;
  }

  /** Client for table `name`, created if needed. A failed creation is retried on the next call. */
  table(name: string): Promise<TableClient> {
    let ready = this.#ready.get(name);
    if (ready === undefined) {
      ready = this.#open(this.tableName(name));
      this.#ready.set(name, ready);
      ready.catch(() => this.#ready.delete(name));
    }
    return ready;
  }

  async #open(tableName: string): Promise<TableClient> {
    const client = createTableClient(this.#setting, tableName);
    // The SDK's createTable swallows exactly 409 TableAlreadyExists and rethrows everything else.
    await client.createTable();
    return client;
  }
}

/** The store the app uses, from its validated settings (managed identity in Azure). */
export function tableStoreFromSettings(storage: StorageSettings): TableStore {
  const setting: TableStorageSetting =
    storage.kind === "connectionString"
      ? { connectionString: storage.connectionString }
      : { accountName: storage.accountName, credential: storageCredential(storage) };
  return new TableStore(setting, { tableNamePrefix: storage.tablePrefix });
}

const storageCredentials = new Map<string, TokenCredential>();

/**
 * Who the code's Table and Queue clients sign in as: the user-assigned identity the host uses for
 * AzureWebJobsStorage (its __clientId: with no system-assigned identity, a token request without a
 * client id fails), else DefaultAzureCredential (a developer's az login). One per identity, so its
 * token cache is shared by every client.
 */
export function storageCredential(storage: Extract<StorageSettings, { kind: "managedIdentity" }>): TokenCredential {
  const key = storage.clientId ?? "";
  let credential = storageCredentials.get(key);
  if (credential === undefined) {
    credential = storage.clientId ? new ManagedIdentityCredential({ clientId: storage.clientId }) : new DefaultAzureCredential();
    storageCredentials.set(key, credential);
  }
  return credential;
}

/**
 * Every Table client gets these (resendOnBrokenPipePolicy says why). A new object each time: the SDK
 * writes into the options it is given (allowInsecureConnection for development storage).
 */
function clientOptions(): TableServiceClientOptions {
  return { additionalPolicies: [{ policy: resendOnBrokenPipePolicy(), position: "perCall" }] };
}

export function createTableClient(setting: TableStorageSetting, tableName: string): TableClient {
  if ("connectionString" in setting) return fromConnectionString(setting.connectionString, tableName);
  const endpoint = "tableEndpoint" in setting ? setting.tableEndpoint : `https://${setting.accountName}.table.core.windows.net`;
  return new TableClient(endpoint, tableName, setting.credential, clientOptions());
}

function fromConnectionString(connectionString: string, tableName: string): TableClient {
  const client = TableClient.fromConnectionString(connectionString, tableName, clientOptions());
  // Azurite serves http, which the SDK refuses unless told; only an http endpoint in the
  // connection string itself opts in, so a production https string is never downgraded.
  return new URL(client.url).protocol === "http:"
    ? TableClient.fromConnectionString(connectionString, tableName, { ...clientOptions(), allowInsecureConnection: true })
    : client;
}
