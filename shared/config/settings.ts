import { z } from "zod";
import { parseSigningKeys, type SigningKeys } from "./signing-keys.js";
import { cloudMismatch } from "./clouds.js";
import { GUID } from "../model/ids.js";
import type { SinkConfig } from "../model/events.js";
import { sinkListSchema } from "./sinks.js";

/**
 * The one place that reads app settings (environment variables; Key Vault references are
 * resolved by the Functions platform before they get here). Validated once; a missing or
 * malformed setting is an error naming the setting and what to do.
 */

const NCRONTAB_6 = /^(\S+\s+){5}\S+$/;

export const CREDENTIAL_MODES = ["managed-identity", "certificate", "secret"] as const;
export type CredentialMode = (typeof CREDENTIAL_MODES)[number];

/** A UPN or SMTP address: something@domain.tld, no spaces. */
const MAILBOX = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;
export const DEFAULT_APPROVAL_TTL_HOURS = 72;
export const MAX_APPROVAL_TTL_HOURS = 720;
const APPROVAL_SETTINGS = ["APPROVAL_SIGNING_KEYS", "PUBLIC_BASE_URL", "MAIL_SENDER"] as const;
const LOCAL_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]"]);

/** Graph's reports limit per app across tenants (graph-facts §6): the whole app-wide budget. */
export const GRAPH_REPORTS_LIMIT_PER_10S = 122;
/** Collect for 7 minutes per invocation: the Consumption plan stops a function at 10 (host.json functionTimeout). */
export const DEFAULT_SCAN_TIME_BUDGET_SECONDS = 420;
const MAX_SCAN_TIME_BUDGET_SECONDS = 86_400;

const httpsUrl = z.url({ protocol: /^https$/, error: "must be an https:// URL" });

const SettingsSchema = z
  .object({
    AzureWebJobsStorage: z.string().min(1).optional(),
    AzureWebJobsStorage__accountName: z
      .string()
      .regex(/^[a-z0-9]{3,24}$/, "must be a storage account name")
      .optional(),
    // The user-assigned identity the host signs in to storage with; the code's own clients use it too.
    AzureWebJobsStorage__clientId: z.string().regex(GUID, "must be the user-assigned managed identity's client id (a GUID)").optional(),
    STORAGE_TABLE_PREFIX: z
      .string()
      .regex(/^[A-Za-z][A-Za-z0-9]{0,19}$/, "must be letters and digits, starting with a letter")
      .optional(),
    SWEEP_SCHEDULE: z.string().regex(NCRONTAB_6, 'must be a 6-field NCRONTAB expression, e.g. "0 0 2 * * *"').default("0 0 2 * * *"),
    GRAPH_CLIENT_ID: z.string().regex(GUID, "must be the app registration's client id (a GUID)").optional(),
    GRAPH_CREDENTIAL_MODE: z.enum(CREDENTIAL_MODES, { error: `must be one of ${CREDENTIAL_MODES.join(", ")}` }).optional(),
    GRAPH_MANAGED_IDENTITY_CLIENT_ID: z.string().regex(GUID, "must be the user-assigned managed identity's client id (a GUID)").optional(),
    GRAPH_CLIENT_CERTIFICATE: z.string().min(1).optional(),
    GRAPH_CLIENT_SECRET: z.string().min(1).optional(),
    GRAPH_CLIENT_CERTIFICATE_PATH: z.string().min(1).optional(),
    GRAPH_AUTHORITY_HOST: httpsUrl.default("https://login.microsoftonline.com"),
    GRAPH_BASE_URL: httpsUrl.default("https://graph.microsoft.com/"),
    GRAPH_TIME_SCALE: z.coerce.number().positive().max(1).default(1),
    GRAPH_REPORTS_BUDGET_PER_10S: z.coerce
      .number({ error: "must be a number of requests" })
      .int("must be a whole number of requests")
      .min(1, "must be at least 1")
      .max(GRAPH_REPORTS_LIMIT_PER_10S, `must be at most ${GRAPH_REPORTS_LIMIT_PER_10S} (Graph's app-wide reports limit)`)
      .default(GRAPH_REPORTS_LIMIT_PER_10S),
    SCAN_TIME_BUDGET_SECONDS: z.coerce
      .number({ error: "must be a number of seconds" })
      .positive("must be above 0")
      .max(MAX_SCAN_TIME_BUDGET_SECONDS, `must be at most ${MAX_SCAN_TIME_BUDGET_SECONDS}`)
      .default(DEFAULT_SCAN_TIME_BUDGET_SECONDS),
    TENANTS_SOURCE: z.enum(["table", "setting"]).default("table"),
    TENANT_IDS: z.string().optional(),
    APPROVAL_SIGNING_KEYS: z.string().optional(),
    APPROVAL_TTL_HOURS: z.coerce
      .number({ error: "must be a number of hours" })
      .int("must be a whole number of hours")
      .min(1, "must be at least 1 (hour)")
      .max(MAX_APPROVAL_TTL_HOURS, `must be at most ${MAX_APPROVAL_TTL_HOURS} (30 days)`)
      .default(DEFAULT_APPROVAL_TTL_HOURS),
    PUBLIC_BASE_URL: z.string().optional(),
    MAIL_SENDER: z
      .string()
      .refine((v) => GUID.test(v) || MAILBOX.test(v), "must be the sending mailbox's UPN (e.g. patrol@contoso.com) or user id")
      .optional(),
    MAIL_TENANT_ID: z.string().regex(GUID, "must be the tenant id (GUID) that holds the MAIL_SENDER mailbox").optional(),
    API_TENANT_ID: z
      .string()
      .regex(GUID, "must be the tenant id (GUID) of the app registration that ticketing callers get tokens for")
      .optional(),
    NOTIFY_SINKS: z.string().optional(),
    // Set by the platform ("True") when App Service Authentication runs in front of the functions.
    WEBSITE_AUTH_ENABLED: z.string().optional(),
  })
  .superRefine((s, ctx) => {
    if (!s.AzureWebJobsStorage && !s.AzureWebJobsStorage__accountName) {
      ctx.addIssue({
        code: "custom",
        path: ["AzureWebJobsStorage"],
        message: "is required (a connection string, or set AzureWebJobsStorage__accountName for managed identity)",
      });
    }
    checkCredentialSettings(s, (path, message) => ctx.addIssue({ code: "custom", path: [path], message }));
    if (s.TENANTS_SOURCE === "setting" && !s.TENANT_IDS) {
      ctx.addIssue({
        code: "custom",
        path: ["TENANT_IDS"],
        message: "is required when TENANTS_SOURCE=setting (comma-separated tenant ids)",
      });
    }
    for (const id of splitList(s.TENANT_IDS)) {
      if (!GUID.test(id))
        ctx.addIssue({ code: "custom", path: ["TENANT_IDS"], message: `contains "${id}", which is not a tenant id (GUID)` });
    }
    const clouds = cloudMismatch(s.GRAPH_BASE_URL, s.GRAPH_AUTHORITY_HOST);
    if (clouds) ctx.addIssue({ code: "custom", path: ["GRAPH_AUTHORITY_HOST"], message: clouds });
    checkApprovalSettings(s, (path, message) => ctx.addIssue({ code: "custom", path: [path], message }));
    checkNotifySinks(s, (path, message) => ctx.addIssue({ code: "custom", path: [path], message }));
  });

/** Every app setting the schema reads (infra/ and its template test are checked against this list). */
export const SETTING_NAMES: readonly string[] = Object.keys(SettingsSchema.shape);

export type StorageSettings =
  | { readonly kind: "connectionString"; readonly connectionString: string; readonly tablePrefix: string }
  | {
      readonly kind: "managedIdentity";
      readonly accountName: string;
      /** Client id of a user-assigned identity; undefined: DefaultAzureCredential (az login, system-assigned). */
      readonly clientId?: string | undefined;
      readonly tablePrefix: string;
    };

/**
 * How the multi-tenant app proves itself to each customer tenant's Entra ID:
 * - `managed-identity`: secretless; the app's user-assigned managed identity is a federated
 *   identity credential of the app registration, and its token is the client assertion;
 * - `certificate`: a PEM (private key + certificate), from Key Vault or a file;
 * - `secret`: a client secret (Key Vault reference), for those who need it.
 */
export type GraphCredentialSettings =
  | { readonly kind: "managed-identity"; readonly clientId: string; readonly managedIdentityClientId: string }
  | { readonly kind: "certificate"; readonly clientId: string; readonly certificate: { readonly pem: string } | { readonly path: string } }
  | { readonly kind: "secret"; readonly clientId: string; readonly clientSecret: string };

export interface GraphSettings {
  /** Undefined until an app registration is configured: the sweep then says so per tenant. */
  readonly credential: GraphCredentialSettings | undefined;
  readonly authorityHost: string;
  readonly baseUrl: string;
  /** Scales our own backoff and pacing; 1 except against the simulator's time-scaled throttling. */
  readonly timeScale: number;
  /** This instance's share of the app-wide reports limit, requests per 10 s (pacing). */
  readonly reportsBudgetPer10s: number;
}

/** How a tenant scan fits the host's function timeout. */
export interface ScanSettings {
  /** Stop collecting after this long in one invocation, checkpoint, and continue in a new message. */
  readonly timeBudgetSeconds: number;
}

/** Approval requests by email with signed links. */
export interface ApprovalSettings {
  /** First signs new links; all verify (rotation). Secrets are not serialized or inspected. */
  readonly signingKeys: SigningKeys;
  /** How long a request and its links stay valid. */
  readonly ttlHours: number;
  /** Origin (optionally with a path prefix) the links point to, without a trailing slash. */
  readonly publicBaseUrl: string;
  /** UPN or user id of the mailbox that sends the digest (needs Mail.Send). */
  readonly mailSender: string;
  /** Tenant holding that mailbox; undefined: each digest is sent through the scanned tenant itself. */
  readonly mailTenantId: string | undefined;
}

/** Outbound events (shared/notify/): the fleet's default sinks and the mailbox email sinks send from. */
export interface NotifySettings {
  /** NOTIFY_SINKS; a tenant's own sinks add to these (README "Outbound events"). */
  readonly sinks: readonly SinkConfig[];
  /** MAIL_SENDER: required when any fleet sink is an email sink. */
  readonly mailSender: string | undefined;
  /** MAIL_TENANT_ID: the tenant that sends the email; undefined: the scanned tenant itself. */
  readonly mailTenantId: string | undefined;
}

export interface Settings {
  readonly storage: StorageSettings;
  readonly graph: GraphSettings;
  readonly sweepSchedule: string;
  readonly scan: ScanSettings;
  readonly tenants: { readonly source: "table" } | { readonly source: "setting"; readonly tenantIds: readonly string[] };
  /**
   * Undefined until APPROVAL_SIGNING_KEYS, PUBLIC_BASE_URL and MAIL_SENDER are all set (setting only
   * some of them is an error): no approval requests or emails until then.
   */
  readonly approvals: ApprovalSettings | undefined;
  /** Undefined until API_TENANT_ID and GRAPH_CLIENT_ID are set: the ticketing API v2 then refuses every caller. */
  readonly callers: CallerTokenSettings | undefined;
  readonly notify: NotifySettings;
  /**
   * WEBSITE_AUTH_ENABLED=True: App Service Authentication signs people in before the functions run,
   * so its X-MS-CLIENT-PRINCIPAL header can be trusted (shared/http/principal.ts). Off: the reports refuse everyone.
   */
  readonly platformAuth: boolean;
}

/**
 * Entra access tokens of ticketing callers (client credentials of their own apps, for app roles of
 * tenant-patrol's app registration): who issues them and for which audience.
 */
export interface CallerTokenSettings {
  /** `{authorityHost}/{API_TENANT_ID}/v2.0`, the issuer of v2 access tokens. */
  readonly issuer: string;
  /** The app registration's client id: v2 access tokens carry it as `aud`. */
  readonly audience: string;
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
      : {
          kind: "managedIdentity",
          accountName: s.AzureWebJobsStorage__accountName as string,
          clientId: s.AzureWebJobsStorage__clientId,
          tablePrefix,
        },
    graph: {
      credential: graphCredential(s),
      authorityHost: s.GRAPH_AUTHORITY_HOST,
      baseUrl: s.GRAPH_BASE_URL.endsWith("/") ? s.GRAPH_BASE_URL : `${s.GRAPH_BASE_URL}/`,
      timeScale: s.GRAPH_TIME_SCALE,
      reportsBudgetPer10s: s.GRAPH_REPORTS_BUDGET_PER_10S,
    },
    sweepSchedule: s.SWEEP_SCHEDULE,
    scan: { timeBudgetSeconds: s.SCAN_TIME_BUDGET_SECONDS },
    tenants: s.TENANTS_SOURCE === "table" ? { source: "table" } : { source: "setting", tenantIds: splitList(s.TENANT_IDS) },
    approvals:
      s.APPROVAL_SIGNING_KEYS && s.PUBLIC_BASE_URL && s.MAIL_SENDER
        ? {
            signingKeys: parseSigningKeys(s.APPROVAL_SIGNING_KEYS),
            ttlHours: s.APPROVAL_TTL_HOURS,
            publicBaseUrl: s.PUBLIC_BASE_URL.replace(/\/+$/, ""),
            mailSender: s.MAIL_SENDER,
            mailTenantId: s.MAIL_TENANT_ID,
          }
        : undefined,
    callers:
      s.API_TENANT_ID && s.GRAPH_CLIENT_ID
        ? { issuer: `${s.GRAPH_AUTHORITY_HOST.replace(/\/+$/, "")}/${s.API_TENANT_ID}/v2.0`, audience: s.GRAPH_CLIENT_ID }
        : undefined,
    notify: { sinks: parseNotifySinks(s.NOTIFY_SINKS) ?? [], mailSender: s.MAIL_SENDER, mailTenantId: s.MAIL_TENANT_ID },
    platformAuth: s.WEBSITE_AUTH_ENABLED?.toLowerCase() === "true",
  };
}

/**
 * NOTIFY_SINKS as sinks; undefined when unset. The problems name paths and rules, never a value:
 * a webhook's secret is in the same text (a Key Vault reference in Azure).
 */
function parseNotifySinks(text: string | undefined): SinkConfig[] | undefined {
  if (text === undefined) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new RangeError("is not valid JSON (a JSON array of sinks)");
  }
  const parsed = sinkListSchema.safeParse(json);
  if (!parsed.success) throw new RangeError(parsed.error.issues.map((i) => `${i.path.join(".") || "(root)"} ${i.message}`).join("; "));
  return parsed.data;
}

/** NOTIFY_SINKS parses; an email sink needs MAIL_SENDER. */
function checkNotifySinks(
  s: { NOTIFY_SINKS?: string | undefined; MAIL_SENDER?: string | undefined },
  issue: (path: string, message: string) => void,
) {
  let sinks: SinkConfig[] | undefined;
  try {
    sinks = parseNotifySinks(s.NOTIFY_SINKS);
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
    issue("NOTIFY_SINKS", `${error.message} (format: README "Outbound events")`);
    return;
  }
  if (sinks?.some((sink) => sink.kind === "email") && !s.MAIL_SENDER)
    issue("MAIL_SENDER", "is required when NOTIFY_SINKS has an email sink");
}

type ApprovalInput = Partial<Record<(typeof APPROVAL_SETTINGS)[number], string>>;

/** All three approval settings or none; keys parse; the base URL is https (http only on localhost). */
function checkApprovalSettings(s: ApprovalInput, issue: (path: string, message: string) => void): void {
  const missing = APPROVAL_SETTINGS.filter((name) => !s[name]);
  if (missing.length > 0 && missing.length < APPROVAL_SETTINGS.length) {
    for (const name of missing)
      issue(name, `is required for approval emails (${APPROVAL_SETTINGS.join(", ")} go together; unset all three to turn approvals off)`);
  }
  if (s.APPROVAL_SIGNING_KEYS) {
    try {
      parseSigningKeys(s.APPROVAL_SIGNING_KEYS);
    } catch (error) {
      if (!(error instanceof RangeError)) throw error;
      // The parser names entries by position, never by their text (which may hold a secret).
      issue(
        "APPROVAL_SIGNING_KEYS",
        `is invalid: ${error.message} (format: kid:base64secret[,kid:base64secret…], first key signs, secrets of 32+ bytes)`,
      );
    }
  }
  if (s.PUBLIC_BASE_URL) {
    const problem = baseUrlProblem(s.PUBLIC_BASE_URL);
    if (problem) issue("PUBLIC_BASE_URL", problem);
  }
}

function baseUrlProblem(value: string): string | undefined {
  if (!URL.canParse(value)) return "must be an absolute URL, e.g. https://patrol.contoso.com";
  const url = new URL(value);
  const local = LOCAL_HOSTS.has(url.hostname);
  if (url.protocol !== "https:" && !(url.protocol === "http:" && local)) return "must be an https:// URL (http:// only for localhost)";
  if (url.username || url.password || url.search || url.hash) return "must not contain credentials, a query or a fragment";
  return undefined;
}

type CredentialInput = Partial<
  Record<
    | "GRAPH_CLIENT_ID"
    | "GRAPH_MANAGED_IDENTITY_CLIENT_ID"
    | "GRAPH_CLIENT_CERTIFICATE"
    | "GRAPH_CLIENT_CERTIFICATE_PATH"
    | "GRAPH_CLIENT_SECRET",
    string
  >
> & { readonly GRAPH_CREDENTIAL_MODE?: CredentialMode | undefined };

/** The setting(s) each credential mode reads; exactly one mode's may be set. */
const MODE_SETTINGS: Readonly<Record<CredentialMode, readonly (keyof CredentialInput)[]>> = {
  "managed-identity": ["GRAPH_MANAGED_IDENTITY_CLIENT_ID"],
  certificate: ["GRAPH_CLIENT_CERTIFICATE", "GRAPH_CLIENT_CERTIFICATE_PATH"],
  secret: ["GRAPH_CLIENT_SECRET"],
};

/** The modes whose settings are present. */
function modesSet(s: CredentialInput): CredentialMode[] {
  return CREDENTIAL_MODES.filter((mode) => MODE_SETTINGS[mode].some((name) => s[name] !== undefined));
}

/** Exactly one credential, and the one GRAPH_CREDENTIAL_MODE names when it is set. */
function checkCredentialSettings(s: CredentialInput, issue: (path: string, message: string) => void): void {
  const set = modesSet(s);
  const named = (mode: CredentialMode) => MODE_SETTINGS[mode].join(" or ");
  if (s.GRAPH_CLIENT_CERTIFICATE && s.GRAPH_CLIENT_CERTIFICATE_PATH) {
    issue("GRAPH_CLIENT_CERTIFICATE", "and GRAPH_CLIENT_CERTIFICATE_PATH are both set: keep one");
  }
  if (set.length > 1)
    issue("GRAPH_CREDENTIAL_MODE", `settings of several credentials are set (${set.map(named).join("; ")}): keep exactly one`);
  const mode = s.GRAPH_CREDENTIAL_MODE;
  if (mode !== undefined && !set.includes(mode))
    issue(MODE_SETTINGS[mode][0] ?? "GRAPH_CREDENTIAL_MODE", `is required when GRAPH_CREDENTIAL_MODE=${mode}`);
  if ((set.length > 0 || mode !== undefined) && !s.GRAPH_CLIENT_ID)
    issue("GRAPH_CLIENT_ID", "is required with a Graph credential (the app registration's client id)");
}

function graphCredential(s: CredentialInput): GraphCredentialSettings | undefined {
  const clientId = s.GRAPH_CLIENT_ID;
  const mode = s.GRAPH_CREDENTIAL_MODE ?? modesSet(s)[0];
  if (!clientId || mode === undefined) return undefined;
  switch (mode) {
    case "managed-identity":
      return { kind: mode, clientId, managedIdentityClientId: s.GRAPH_MANAGED_IDENTITY_CLIENT_ID ?? "" };
    case "certificate":
      return {
        kind: mode,
        clientId,
        certificate: s.GRAPH_CLIENT_CERTIFICATE ? { pem: s.GRAPH_CLIENT_CERTIFICATE } : { path: s.GRAPH_CLIENT_CERTIFICATE_PATH ?? "" },
      };
    case "secret":
      return { kind: mode, clientId, clientSecret: s.GRAPH_CLIENT_SECRET ?? "" };
  }
}

function splitList(value: string | undefined): string[] {
  return (value ?? "")
    .split(",")
    .map((v) => v.trim())
    .filter((v) => v.length > 0);
}

/** Functions hosts pass unset settings as empty strings; treat them as unset. */
function blankToUndefined(env: NodeJS.ProcessEnv): Record<string, string | undefined> {
  return Object.fromEntries(Object.entries(env).map(([k, v]) => [k, v === "" ? undefined : v]));
}
