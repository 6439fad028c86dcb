import type { QueueClient } from "@azure/storage-queue";
import { loadSettings, type Settings } from "../config/settings.js";
import { createGraphClient, type TenantGraph } from "../graph/client.js";
import { sharedPacer } from "../graph/pacer.js";
import type { TenantRecord } from "../model/tenant.js";
import { createTenantCredential } from "../graph/credentials.js";
import { createQueueClient } from "../queue/queue-client.js";
import { SEND_APPROVALS_QUEUE } from "../queue/approvals-message.js";
import { SCAN_CONTINUE_QUEUE, SCAN_LONG_QUEUE, SCAN_QUEUE } from "../queue/scan-message.js";
import { TableApprovalsRepository, type ApprovalsRepository } from "../storage/approvals.js";
import { TableAuditRepository, type AuditRepository } from "../storage/audit.js";
import { TableDigestsRepository, type DigestsRepository } from "../storage/digests.js";
import { TableScanCheckpointsRepository, type ScanCheckpointsRepository } from "../storage/checkpoints.js";
import { tableStoreFromSettings, type TableStore } from "../storage/connection.js";
import { TableFindingEventsRepository, type FindingEventsRepository } from "../storage/findingEvents.js";
import { TableFindingsRepository, type FindingsRepository } from "../storage/findings.js";
import { TableRunsRepository, type RunsRepository } from "../storage/runs.js";
import { TableTenantsRepository, type TenantsRepository } from "../storage/tenants.js";
import { TableTenantLeaseRepository, type TenantLeaseRepository } from "../storage/tenant-leases.js";
import type { RemediationDeps, RemediationLog } from "../remediation/remediate.js";
import type { TenantAccess } from "../onboarding/check.js";
import { timeBudget, type ScanBudget } from "./scan-budget.js";

/** Everything the sweep talks to, built once from settings; tests build their own. */
export interface SweepServices {
  readonly settings: Settings;
  readonly store: TableStore;
  readonly tenants: TenantsRepository;
  readonly runs: RunsRepository;
  readonly findings: FindingsRepository;
  readonly events: FindingEventsRepository;
  readonly approvals: ApprovalsRepository;
  /** Every remediation attempt (insert-only). */
  readonly audit: AuditRepository;
  /** Per-tenant leases: one remediation of a tenant at a time, across instances. */
  readonly leases: TenantLeaseRepository;
  readonly digests: DigestsRepository;
  /** The three scan lanes (shared/queue/scan-message.ts): quick scans, long scans, follow-ups. */
  readonly scanQueue: QueueClient;
  readonly scanLongQueue: QueueClient;
  readonly scanContinueQueue: QueueClient;
  /** Every scan lane as the Functions host runs it: its function, queue and poison queue. */
  readonly scanLanes: readonly ScanLane[];
  readonly sendApprovalsQueue: QueueClient;
  readonly sendApprovalsPoisonQueue: QueueClient;
  /** Where scans too long for one invocation keep their place. */
  readonly checkpoints: ScanCheckpointsRepository;
  /** A Graph client for one tenant, with fresh call counters. */
  graphFor(tenantId: string): TenantGraph;
  /**
   * A fresh credential for one tenant and an unpaced Graph client using it: the onboarding check
   * reads that credential's token (a new one, so a consent given minutes ago shows) and makes a
   * dozen reads, too few to pace.
   */
  tenantAccess(tenantId: string): TenantAccess;
  /** When an invocation that starts now must stop collecting and hand over (SCAN_TIME_BUDGET_SECONDS). */
  scanBudget(): ScanBudget;
  /** What remediate() and undo() need to act on `tenant`: every channel builds them here. */
  remediationFor(tenant: TenantRecord, log?: RemediationLog): RemediationDeps;
}

export interface ScanLane {
  /** The queue function's name in functions/registry.ts (the same as its queue's). */
  readonly functionName: string;
  readonly queue: QueueClient;
  /** Where the Functions host moves messages that failed maxDequeueCount times. */
  readonly poisonQueue: QueueClient;
}

export interface SweepServicesOptions {
  /** Tests isolate themselves with their own queues (`<prefix>scan-tenant`); Azure uses none. */
  readonly queuePrefix?: string;
}

export function createSweepServices(settings: Settings, options: SweepServicesOptions = {}): SweepServices {
  const store = tableStoreFromSettings(settings.storage);
  const retry = { backoffScale: settings.graph.timeScale };
  const pacing = { timeScale: settings.graph.timeScale, reportsPerAppPer10s: settings.graph.reportsBudgetPer10s };
  const queue = (name: string) => createQueueClient(settings.storage, `${options.queuePrefix ?? ""}${name}`);
  const lane = (name: string): ScanLane => ({ functionName: name, queue: queue(name), poisonQueue: queue(`${name}-poison`) });
  const [quick, long, continued] = [lane(SCAN_QUEUE), lane(SCAN_LONG_QUEUE), lane(SCAN_CONTINUE_QUEUE)];
  const graphFor = (tenantId: string) =>
    createGraphClient({
      credential: createTenantCredential(settings.graph, tenantId),
      baseUrl: settings.graph.baseUrl,
      retry,
      pacing: { pacer: sharedPacer(settings.graph.credential?.clientId ?? "", pacing), tenantId },
    });
  const audit = new TableAuditRepository(store);
  const approvals = new TableApprovalsRepository(store);
  const leases = new TableTenantLeaseRepository(store);
  const tenants = new TableTenantsRepository(store);
  return {
    settings,
    store,
    tenants,
    runs: new TableRunsRepository(store),
    findings: new TableFindingsRepository(store),
    events: new TableFindingEventsRepository(store),
    approvals,
    audit,
    leases,
    digests: new TableDigestsRepository(store),
    scanQueue: quick.queue,
    scanLongQueue: long.queue,
    scanContinueQueue: continued.queue,
    scanLanes: [quick, long, continued],
    sendApprovalsQueue: queue(SEND_APPROVALS_QUEUE),
    sendApprovalsPoisonQueue: queue(`${SEND_APPROVALS_QUEUE}-poison`),
    checkpoints: new TableScanCheckpointsRepository(store),
    graphFor,
    tenantAccess: (tenantId) => {
      const credential = createTenantCredential(settings.graph, tenantId);
      return { credential, graph: createGraphClient({ credential, baseUrl: settings.graph.baseUrl, retry }) };
    },
    scanBudget: () => timeBudget(settings.scan.timeBudgetSeconds),
    remediationFor: (tenant, log) => ({
      graph: graphFor(tenant.tenantId),
      audit,
      approvals,
      leases,
      tenant,
      tenants,
      self: { appId: settings.graph.credential?.clientId ?? "", mailSender: settings.approvals?.mailSender ?? null },
      ...(log ? { log } : {}),
    }),
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
