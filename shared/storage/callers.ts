/**
 * Table `Callers`: the apps (ticketing systems, integrations) that may call the API with an Entra
 * token, and the tenants each may reach. PK `caller`, RK the caller app's id (lower case), as its
 * tokens carry it in `azp` (v2) or `appid` (v1). An app that is not listed reaches nothing.
 */
import { odata, type TableClient } from "@azure/data-tables";
import { z } from "zod";
import { isGuid } from "../model/ids.js";
import type { TableStore } from "./connection.js";
import { getEntityOrUndefined, listAll, type StorageOperationOptions } from "./operations.js";

export const CALLERS_TABLE = "Callers";
const PARTITION = "caller";

export interface CallerRecord {
  readonly appId: string;
  readonly displayName: string;
  /** The tenants it may reach, or "all" (an MSP's own ticketing system). */
  readonly tenants: "all" | readonly string[];
}

export interface CallersRepository {
  get(appId: string, options?: StorageOperationOptions): Promise<CallerRecord | undefined>;
  /** Adds or replaces the caller. */
  put(caller: CallerRecord, options?: StorageOperationOptions): Promise<void>;
  list(options?: StorageOperationOptions): Promise<CallerRecord[]>;
}

const callerEntity = z.object({
  rowKey: z.string(),
  displayName: z.string(),
  allTenants: z.boolean(),
  tenants: z.string().transform((text) => (text === "" ? [] : text.split(","))),
});

export class TableCallersRepository implements CallersRepository {
  readonly #store: TableStore;

  constructor(store: TableStore) {
    this.#store = store;
  }

  async get(appId: string, options: StorageOperationOptions = {}): Promise<CallerRecord | undefined> {
    if (!isGuid(appId)) return undefined;
    const entity = await getEntityOrUndefined(await this.#client(), PARTITION, appId.toLowerCase(), options);
    return entity && toCaller(entity);
  }

  async put(caller: CallerRecord, options: StorageOperationOptions = {}): Promise<void> {
    const tenants = caller.tenants === "all" ? [] : caller.tenants.map((t) => t.toLowerCase());
    await (
      await this.#client()
    ).upsertEntity(
      {
        partitionKey: PARTITION,
        rowKey: caller.appId.toLowerCase(),
        displayName: caller.displayName,
        allTenants: caller.tenants === "all",
        tenants: tenants.join(","),
      },
      "Replace",
      { abortSignal: options.abortSignal },
    );
  }

  async list(options: StorageOperationOptions = {}): Promise<CallerRecord[]> {
    return (await listAll(await this.#client(), odata`PartitionKey eq ${PARTITION}`, options)).map(toCaller);
  }

  #client(): Promise<TableClient> {
    return this.#store.table(CALLERS_TABLE);
  }
}

function toCaller(entity: Record<string, unknown>): CallerRecord {
  const row = callerEntity.parse(entity);
  return { appId: row.rowKey, displayName: row.displayName, tenants: row.allTenants ? "all" : row.tenants };
}
