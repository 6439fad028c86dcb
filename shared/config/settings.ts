import { z } from "zod";

/**
 * The one place that reads app settings (environment variables; Key Vault references are
 * resolved by the Functions platform before they get here). Validated once; a missing or
 * malformed setting is an error naming the setting and what to do.
 */

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const NCRONTAB_6 = /^(\S+\s+){5}\S+$/;

const httpsUrl = z.url({ protocol: /^https$/, error: "must be an https:// URL" });

const SettingsSchema = z
  .object({
    AzureWebJobsStorage: z.string().min(1).optional(),
    AzureWebJobsStorage__accountName: z.string().regex(/^[a-z0-9]{3,24}$/, "must be a storage account name").optional(),
    STORAGE_TABLE_PREFIX: z.string().regex(/^[A-Za-z][A-Za-z0-9]{0,19}$/, "must be letters and digits, starting with a letter").optional(),
    SWEEP_SCHEDULE: z.string().regex(NCRONTAB_6, "must be a 6-field NCRONTAB expression, e.g. \"0 0 2 * * *\"").default("0 0 2 * * *"),
    GRAPH_CLIENT_ID: z.string().regex(GUID, "must be the app registration's client id (a GUID)").optional(),
    GRAPH_CLIENT_SECRET: z.string().min(1).optional(),
    GRAPH_CLIENT_CERTIFICATE_PATH: z.string().min(1).optional(),
    GRAPH_AUTHORITY_HOST: httpsUrl.default("https://login.microsoftonline.com"),
    GRAPH_BASE_URL: httpsUrl.default("https://graph.microsoft.com/"),
    GRAPH_TIME_SCALE: z.coerce.number().positive().max(1).default(1),
    TENANTS_SOURCE: z.enum(["table", "setting"]).default("table"),
    TENANT_IDS: z.string().optional(),
  })
  .superRefine((s, ctx) => {
    if (!s.AzureWebJobsStorage && !s.AzureWebJobsStorage__accountName) {
      ctx.addIssue({ code: "custom", path: ["AzureWebJobsStorage"], message: "is required (a connection string, or set AzureWebJobsStorage__accountName for managed identity)" });
    }
    if (s.GRAPH_CLIENT_SECRET && s.GRAPH_CLIENT_CERTIFICATE_PATH) {
      ctx.addIssue({ code: "custom", path: ["GRAPH_CLIENT_SECRET"], message: "and GRAPH_CLIENT_CERTIFICATE_PATH are both set: keep one" });
    }
    if (s.TENANTS_SOURCE === "setting" && !s.TENANT_IDS) {
      ctx.addIssue({ code: "custom", path: ["TENANT_IDS"], message: "is required when TENANTS_SOURCE=setting (comma-separated tenant ids)" });
    }
    for (const id of splitList(s.TENANT_IDS)) {
      if (!GUID.test(id)) ctx.addIssue({ code: "custom", path: ["TENANT_IDS"], message: `contains "${id}", which is not a tenant id (GUID)` });
    }
  });

export type StorageSettings =
  | { readonly kind: "connectionString"; readonly connectionString: string; readonly tablePrefix: string }
  | { readonly kind: "managedIdentity"; readonly accountName: string; readonly tablePrefix: string };

export type GraphCredentialSettings =
  | { readonly kind: "secret"; readonly clientId: string; readonly clientSecret: string }
  | { readonly kind: "certificate"; readonly clientId: string; readonly certificatePath: string };

export interface GraphSettings {
  /** Undefined until an app registration is configured: the sweep then says so per tenant. */
  readonly credential: GraphCredentialSettings | undefined;
  readonly authorityHost: string;
  readonly baseUrl: string;
  /** Scales our own backoff; 1 except against the simulator's time-scaled throttling. */
  readonly timeScale: number;
}

export interface Settings {
  readonly storage: StorageSettings;
  readonly graph: GraphSettings;
  readonly sweepSchedule: string;
  readonly tenants: { readonly source: "table" } | { readonly source: "setting"; readonly tenantIds: readonly string[] };
}

export class SettingsError extends Error {
  override readonly name = "SettingsError";
}

export function loadSettings(env: NodeJS.ProcessEnv = process.env): Settings {
  const parsed = SettingsSchema.safeParse(blankToUndefined(env));
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `- ${i.path.join(".") || "settings"} ${i.message}`);
    throw new SettingsError(`Invalid app settings:\n${problems.join("\n")}\nSee the README's configuration reference.`);
  }
  const s = parsed.data;
  const tablePrefix = s.STORAGE_TABLE_PREFIX ?? "";
  return {
    storage: s.AzureWebJobsStorage
      ? { kind: "connectionString", connectionString: s.AzureWebJobsStorage, tablePrefix }
      : { kind: "managedIdentity", accountName: s.AzureWebJobsStorage__accountName as string, tablePrefix },
    graph: {
      credential: graphCredential(s.GRAPH_CLIENT_ID, s.GRAPH_CLIENT_SECRET, s.GRAPH_CLIENT_CERTIFICATE_PATH),
      authorityHost: s.GRAPH_AUTHORITY_HOST,
      baseUrl: s.GRAPH_BASE_URL.endsWith("/") ? s.GRAPH_BASE_URL : `${s.GRAPH_BASE_URL}/`,
      timeScale: s.GRAPH_TIME_SCALE,
    },
    sweepSchedule: s.SWEEP_SCHEDULE,
    tenants: s.TENANTS_SOURCE === "table" ? { source: "table" } : { source: "setting", tenantIds: splitList(s.TENANT_IDS) },
  };
}

function graphCredential(clientId?: string, secret?: string, certificatePath?: string): GraphCredentialSettings | undefined {
  if (!clientId) return undefined;
  if (secret) return { kind: "secret", clientId, clientSecret: secret };
  if (certificatePath) return { kind: "certificate", clientId, certificatePath };
  return undefined;
}

function splitList(value: string | undefined): string[] {
  return (value ?? "").split(",").map((v) => v.trim()).filter((v) => v.length > 0);
}

/** Functions hosts pass unset settings as empty strings; treat them as unset. */
function blankToUndefined(env: NodeJS.ProcessEnv): Record<string, string | undefined> {
  return Object.fromEntries(Object.entries(env).map(([k, v]) => [k, v === "" ? undefined : v]));
}
