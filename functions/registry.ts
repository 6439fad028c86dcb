import type { HttpHandler, HttpMethod, StorageQueueHandler, TimerHandler } from "@azure/functions";
import { SCAN_QUEUE } from "../shared/queue/scan-message.js";
import { nightlySweep } from "./nightly-sweep.js";
import { scanTenantFromQueue } from "./scan-tenant.js";

/**
 * Every function of the app, in one table: the Azure registration (functions/index.ts) and the
 * local host (dev/local-host) both read it, so routes and triggers have one source of truth.
 */
export type FunctionDefinition =
  | { readonly name: string; readonly trigger: "timer"; readonly schedule: string; readonly handler: TimerHandler }
  | { readonly name: string; readonly trigger: "queue"; readonly queueName: string; readonly handler: StorageQueueHandler }
  | {
      readonly name: string;
      readonly trigger: "http";
      readonly route: string;
      readonly methods: readonly HttpMethod[];
      readonly authLevel: "anonymous" | "function" | "admin";
      readonly handler: HttpHandler;
    };

/** The storage account the queue triggers listen on (an app setting name, as Azure expects). */
export const STORAGE_CONNECTION = "AzureWebJobsStorage";

export const FUNCTIONS: readonly FunctionDefinition[] = [
  // %SWEEP_SCHEDULE% is resolved by the Functions host from app settings (default in README).
  { name: "nightly-sweep", trigger: "timer", schedule: "%SWEEP_SCHEDULE%", handler: nightlySweep },
  { name: "scan-tenant", trigger: "queue", queueName: SCAN_QUEUE, handler: scanTenantFromQueue },
];
