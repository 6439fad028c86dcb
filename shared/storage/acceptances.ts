/**
 * Table `Acceptances`: the risk register's acceptances in force (PK tenantId, RK the finding's row
 * key, so a finding has at most one). A person writes them; the sweep deletes the expired ones after
 * recording their `acceptance-expired` event. History (who accepted, revoked, when) is in FindingEvents.
 */
import { odata, type TableClient } from "@azure/data-tables";
import { z } from "zod";
import type { ControlId } from "../model/findings.js";
import type { Acceptance } from "../model/stored.js";
import { controlColumn, optionalStringColumn } from "./columns.js";
import type { TableStore } from "./connection.js";
import { isConflict, isNotFound, isPreconditionFailed } from "./errors.js";
import { assertKeySafe, findingRowKey } from "./keys.js";
import { getEntityOrUndefined, listAll, type RawEntity, type StorageOperationOptions } from "./operations.js";

export const ACCEPTANCES_TABLE = "Acceptances";
const MAX_ACCEPT_ATTEMPTS = 5;

/** An acceptance with the ETag it was read with, for a conditional delete. */
export interface StoredAcceptance {
  readonly acceptance: Acceptance;
  readonly etag: string;
}

export type AcceptOutcome =
  | { readonly outcome: "accepted" }
  /** One is in force already (revoke it first); nothing was written. */
  | { readonly outcome: "already-accepted"; readonly existing: Acceptance };

export interface AcceptancesRepository {
  listForTenant(tenantId: string, options?: StorageOperationOptions): Promise<StoredAcceptance[]>;
  get(
    tenantId: string,
    control: ControlId,
    subjectId: string | null,
    options?: StorageOperationOptions,
  ): Promise<StoredAcceptance | undefined>;
  /**
   * Stores the acceptance unless one is in force at `now`. An expired one the sweep has not yet
   * cleared is replaced (ETag-conditional: two people accepting at once, one wins).
   */
  accept(acceptance: Acceptance, now: Date, options?: StorageOperationOptions): Promise<AcceptOutcome>;
  /** Deletes it if it is still the one read with `etag`; false when it changed or is gone. */
  remove(tenantId: string, stored: StoredAcceptance, options?: StorageOperationOptions): Promise<boolean>;
}

const acceptanceEntity = z.object({
  partitionKey: z.string(),
  control: controlColumn,
  subjectId: optionalStringColumn,
  reason: z.string(),
  acceptedBy: z.string(),
  acceptedAt: z.date(),
  expiresAt: z.date(),
  etag: z.string(),
});

export class TableAcceptancesRepository implements AcceptancesRepository {
  readonly #store: TableStore;

  constructor(store: TableStore) {
    this.#store = store;
  }

  async listForTenant(tenantId: string, options: StorageOperationOptions = {}): Promise<StoredAcceptance[]> {
    assertKeySafe(tenantId, "tenantId");
    const entities = await listAll(await this.#client(), odata`PartitionKey eq ${tenantId}`, options);
    return entities.map(toStoredAcceptance);
  }

  async get(
    tenantId: string,
    control: ControlId,
    subjectId: string | null,
    options: StorageOperationOptions = {},
  ): Promise<StoredAcceptance | undefined> {
    assertKeySafe(tenantId, "tenantId");
    const entity = await getEntityOrUndefined(await this.#client(), tenantId, findingRowKey(control, subjectId), options);
    return entity && toStoredAcceptance(entity);
  }

  async accept(acceptance: Acceptance, now: Date, options: StorageOperationOptions = {}): Promise<AcceptOutcome> {
    assertKeySafe(acceptance.tenantId, "tenantId");
    const client = await this.#client();
    const entity = {
      partitionKey: acceptance.tenantId,
      rowKey: findingRowKey(acceptance.control, acceptance.subjectId),
      control: acceptance.control,
      subjectId: acceptance.subjectId ?? undefined,
      reason: acceptance.reason,
      acceptedBy: acceptance.acceptedBy,
      acceptedAt: acceptance.acceptedAt,
      expiresAt: acceptance.expiresAt,
    };
    // Each lost race means another writer changed the row in between; a few rounds settle it.
    for (let attempt = 0; attempt < MAX_ACCEPT_ATTEMPTS; attempt++) {
      const current = await this.get(acceptance.tenantId, acceptance.control, acceptance.subjectId, options);
      if (current && current.acceptance.expiresAt > now) return { outcome: "already-accepted", existing: current.acceptance };
      try {
        if (current) await client.updateEntity(entity, "Replace", { etag: current.etag, abortSignal: options.abortSignal });
        else await client.createEntity(entity, { abortSignal: options.abortSignal });
        return { outcome: "accepted" };
      } catch (error) {
        if (!isConflict(error) && !isPreconditionFailed(error) && !isNotFound(error)) throw error;
      }
    }
    throw new Error(
      `The acceptance of ${acceptance.control} ${acceptance.subjectId ?? "(tenant)"} kept changing under ${MAX_ACCEPT_ATTEMPTS} attempts; try again.`,
    );
  }

  async remove(tenantId: string, stored: StoredAcceptance, options: StorageOperationOptions = {}): Promise<boolean> {
    const { control, subjectId } = stored.acceptance;
    try {
      await (
        await this.#client()
      ).deleteEntity(tenantId, findingRowKey(control, subjectId), {
        etag: stored.etag,
        abortSignal: options.abortSignal,
      });
      return true;
    } catch (error) {
      if (isPreconditionFailed(error) || isNotFound(error)) return false;
      throw error;
    }
  }

  #client(): Promise<TableClient> {
    return this.#store.table(ACCEPTANCES_TABLE);
  }
}

function toStoredAcceptance(entity: RawEntity): StoredAcceptance {
  const { partitionKey, etag, ...rest } = acceptanceEntity.parse(entity);
  return { acceptance: { tenantId: partitionKey, ...rest }, etag };
}
