/**
 * Table `TenantLeases`: one row per tenant and purpose (PK tenantId, RK purpose, e.g.
 * `remediation`) that at most one caller holds at a time, across every instance of the app.
 *
 * Why a table row and not an in-process mutex: the approval page, the ticketing API and any later
 * channel run on several instances at once, and a read-judge-act sequence (the Global
 * Administrator floor above all) is only safe when no other instance acts on the tenant between
 * the read and the write. Every change is ETag-conditional, so exactly one writer wins each race:
 * - acquire: insert the row (409 → someone holds it), or take over a row whose lease has expired
 *   with an If-Match on the ETag read;
 * - while held, the lease is renewed (If-Match on our last ETag); a renewal that fails means the
 *   row was taken over, and `held` turns false so the holder stops before its next write;
 * - release deletes the row (If-Match: a lease taken over after expiry is not ours to delete).
 * A holder that crashes leaves a row that expires after `durationInMs`; the next caller takes it.
 */
import { randomUUID } from "node:crypto";
import type { TableClient } from "@azure/data-tables";
import { z } from "zod";
import type { TableStore } from "./connection.js";
import { isConflict, isNotFound, isPreconditionFailed } from "./errors.js";
import { assertKeySafe } from "./keys.js";
import { getEntityOrUndefined } from "./operations.js";

export const TENANT_LEASES_TABLE = "TenantLeases";

export interface AcquireLeaseOptions {
  /** How long a lease lives without renewal. Default 60 s. */
  readonly durationInMs?: number;
  /** How long to wait for a lease someone else holds. Default 60 s; 0 tries once. */
  readonly waitInMs?: number;
  /** Who asks, for the row (diagnostics only). */
  readonly holderLabel?: string;
}

export interface TenantLease {
  readonly tenantId: string;
  readonly purpose: string;
  /** False once a renewal failed (the row expired and was taken over) or after release. */
  readonly held: boolean;
  /** Deletes the row if it is still ours and stops renewing. Never throws for a lost lease. */
  release(): Promise<void>;
}

export interface TenantLeaseRepository {
  /** The lease, or undefined when someone else held it for all of `waitInMs`. */
  acquire(tenantId: string, purpose: string, options?: AcquireLeaseOptions): Promise<TenantLease | undefined>;
}

export const DEFAULT_LEASE_DURATION_MS = 60_000;
export const DEFAULT_LEASE_WAIT_MS = 60_000;
/** Polling a held lease: starts short (most remediations take a second or two), capped. */
const FIRST_POLL_MS = 100;
const MAX_POLL_MS = 2_000;

const leaseEntity = z.object({ holder: z.string(), expiresAt: z.date() });

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class TableTenantLeaseRepository implements TenantLeaseRepository {
  readonly #store: TableStore;

  constructor(store: TableStore) {
    this.#store = store;
  }

  async acquire(tenantId: string, purpose: string, options: AcquireLeaseOptions = {}): Promise<TenantLease | undefined> {
    assertKeySafe(tenantId, "tenantId");
    assertKeySafe(purpose, "purpose");
    const durationInMs = options.durationInMs ?? DEFAULT_LEASE_DURATION_MS;
    if (!(durationInMs >= 1_000)) throw new RangeError(`durationInMs must be at least 1000: ${durationInMs}`);
    const deadline = Date.now() + (options.waitInMs ?? DEFAULT_LEASE_WAIT_MS);
    const client = await this.#store.table(TENANT_LEASES_TABLE);
    const holder = `${options.holderLabel ?? "holder"}:${randomUUID()}`;
    for (let poll = FIRST_POLL_MS; ; poll = Math.min(poll * 2, MAX_POLL_MS)) {
      const etag = await tryTake(client, tenantId, purpose, holder, durationInMs);
      if (etag !== undefined) return new HeldLease(client, { tenantId, purpose, holder, durationInMs, etag });
      const remaining = deadline - Date.now();
      if (remaining <= 0) return undefined;
      await sleep(Math.min(poll, remaining));
    }
  }
}

/** The new row's ETag when the lease was free (no row, or an expired one); undefined when held. */
async function tryTake(
  client: TableClient,
  tenantId: string,
  purpose: string,
  holder: string,
  durationInMs: number,
): Promise<string | undefined> {
  const row = { partitionKey: tenantId, rowKey: purpose, holder, expiresAt: new Date(Date.now() + durationInMs) };
  try {
    return etagOf(await client.createEntity(row));
  } catch (error) {
    if (!isConflict(error)) throw error;
  }
  const current = await getEntityOrUndefined(client, tenantId, purpose);
  if (current === undefined) return undefined; // released between our insert and read: try again
  if (leaseEntity.parse(current).expiresAt.getTime() > Date.now()) return undefined;
  try {
    return etagOf(await client.updateEntity(row, "Replace", { etag: current.etag }));
  } catch (error) {
    if (isPreconditionFailed(error) || isNotFound(error)) return undefined; // another caller took it first
    throw error;
  }
}

/** Every successful write answers with an ETag; without one the lease could never be renewed or freed. */
function etagOf(headers: { etag?: string }): string {
  if (headers.etag === undefined) throw new Error("Table Storage answered a lease write without an ETag");
  return headers.etag;
}

interface LeaseRow {
  readonly tenantId: string;
  readonly purpose: string;
  readonly holder: string;
  readonly durationInMs: number;
  readonly etag: string;
}

class HeldLease implements TenantLease {
  readonly tenantId: string;
  readonly purpose: string;
  readonly #client: TableClient;
  readonly #row: Omit<LeaseRow, "etag">;
  #etag: string;
  #held = true;
  readonly #timer: NodeJS.Timeout;
  #renewing: Promise<void> = Promise.resolve();

  constructor(client: TableClient, row: LeaseRow) {
    this.tenantId = row.tenantId;
    this.purpose = row.purpose;
    this.#client = client;
    this.#row = row;
    this.#etag = row.etag;
    // Renew at a third of the duration: two renewals may fail (a slow storage answer) before expiry.
    this.#timer = setInterval(
      () => {
        this.#renewing = this.#renew();
      },
      Math.floor(row.durationInMs / 3),
    );
    this.#timer.unref();
  }

  get held(): boolean {
    return this.#held;
  }

  async release(): Promise<void> {
    clearInterval(this.#timer);
    await this.#renewing;
    if (!this.#held) return;
    this.#held = false;
    try {
      await this.#client.deleteEntity(this.#row.tenantId, this.#row.purpose, { etag: this.#etag });
    } catch (error) {
      // Taken over after expiry (412) or already gone (404): not ours any more, nothing to free.
      if (!isPreconditionFailed(error) && !isNotFound(error)) throw error;
    }
  }

  async #renew(): Promise<void> {
    if (!this.#held) return;
    const { tenantId, purpose, holder, durationInMs } = this.#row;
    try {
      const row = { partitionKey: tenantId, rowKey: purpose, holder, expiresAt: new Date(Date.now() + durationInMs) };
      this.#etag = etagOf(await this.#client.updateEntity(row, "Replace", { etag: this.#etag }));
    } catch {
      // Whatever failed, we can no longer prove the lease is ours: the holder must stop acting.
      this.#held = false;
      clearInterval(this.#timer);
    }
  }
}
