import type { QueueClient } from "@azure/storage-queue";
import { loadSettings, type Settings } from "../config/settings.js";
import { createGraphClient, type TenantGraph } from "../graph/client.js";
import type { TenantRecord } from "../model/tenant.js";
import { createTenantCredential } from "../graph/credentials.js";
import { createQueueClient } from "../queue/queue-client.js";
import { SCAN_QUEUE } from "../queue/scan-message.js";
import { tableStoreFromSettings, type TableStore } from "../storage/connection.js";
import { TableFindingEventsRepository, type FindingEventsRepository } from "../storage/findingEvents.js";
import { TableFindingsRepository, type FindingsRepository } from "../storage/findings.js";
import { TableRunsRepository, type RunsRepository } from "../storage/runs.js";
import { TableTenantsRepository, type TenantsRepository } from "../storage/tenants.js";

/** Everything the sweep talks to, built once from settings; tests build their own. */
export interface SweepServices {
  readonly settings: Settings;
  readonly store: TableStore;
  readonly tenants: TenantsRepository;
  readonly runs: RunsRepository;
  readonly findings: FindingsRepository;
  readonly events: FindingEventsRepository;
  readonly scanQueue: QueueClient;
  /** Where the Functions host moves scan messages that failed maxDequeueCount times. */
  readonly scanPoisonQueue: QueueClient;
  /** A Graph client for one tenant, with fresh call counters. */
  graphFor(tenantId: string): TenantGraph;
}

export interface SweepServicesOptions {
  /** Tests isolate themselves with their own queue; Azure always uses `scan-tenant`. */
  readonly scanQueueName?: string;
}

export function createSweepServices(settings: Settings, options: SweepServicesOptions = {}): SweepServices {
  const store = tableStoreFromSettings(settings.storage);
  const retry = { backoffScale: settings.graph.timeScale };
  const scanQueueName = options.scanQueueName ?? SCAN_QUEUE;
  return {
    settings,
    store,
    tenants: new TableTenantsRepository(store),
    runs: new TableRunsRepository(store),
    findings: new TableFindingsRepository(store),
    events: new TableFindingEventsRepository(store),
    scanQueue: createQueueClient(settings.storage, scanQueueName),
    scanPoisonQueue: createQueueClient(settings.storage, `${scanQueueName}-poison`),
    graphFor: (tenantId) =>
      createGraphClient({ credential: createTenantCredential(settings.graph, tenantId), baseUrl: settings.graph.baseUrl, retry }),
  };
}

/** A tenant listed in settings but never registered is scanned with no exclusions and no approvers. */
export async function tenantOrDefault(services: SweepServices, tenantId: string): Promise<TenantRecord> {
  return (
    (await services.tenants.get(tenantId)) ?? {
      tenantId,
      displayName: tenantId,
      enabled: true,
      config: { exclusions: { userIds: [], groupIds: [] }, approvers: [] },
    }
  );
}

let appServices: SweepServices | undefined;

/** The function app's services, from app settings, created on first use (a bad setting fails here). */
export function sweepServices(): SweepServices {
  appServices ??= createSweepServices(loadSettings());
  return appServices;
}
