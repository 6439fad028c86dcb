/**
 * THE rendering of a finding's evidence: labelled text rows, the same in the digest email, on the
 * approval page and in every report. Labels, order and formats are decided here once; renderers
 * only escape the rows (`html`) or print them. Values are cleaned by displayText (control and bidi
 * characters removed), not escaped.
 *
 * EVIDENCE_FIELDS has an entry for every field of every control's evidence (model/evidence.ts):
 * a field renamed or added in a control does not compile until it has its label here. Stored
 * evidence is JSON from any version, so values are read defensively, and a field this version
 * does not know still gets a row under its own name rather than disappearing.
 */
import { DETAIL_TRUNCATED_KEY, type AccountEvidence, type JudgedEvidenceByControl, type UnknownFields } from "../model/evidence.js";
import type { ControlId, FindingDetail } from "../model/findings.js";
import type { UnavailableReason } from "../model/snapshot.js";
import { displayText, truncate } from "./html.js";
import { formatInstant } from "./instant.js";

export interface EvidenceRow {
  readonly label: string;
  readonly value: string;
}

/** What `evidenceRows` needs of a finding or an approval request. */
export interface EvidenceSubject {
  readonly control: ControlId;
  readonly subjectId: string | null;
  readonly evidence: FindingDetail;
}

/** One field as a row: its label and its value as text, or null for no row. */
interface Field {
  readonly label: string;
  readonly show: (value: unknown, evidence: FindingDetail) => string | null;
}

/** A field of the account a row is about: the item's heading (accountOf), not one of its rows. */
const HEADING = { heading: true } as const;
/** A field folded into another field's row. */
const shownWith = (field: string) => ({ shownWith: field }) as const;

type FieldSpec = Field | typeof HEADING | ReturnType<typeof shownWith>;

type KeysOf<T> = T extends unknown ? keyof T : never;

/** A spec for each field of each variant of C's evidence, in the order the rows are shown. */
type FieldsOf<C extends ControlId> = { readonly [K in KeysOf<JudgedEvidenceByControl[C]>]-?: FieldSpec };

/** A string made fit to show; null for anything else or blank. */
function text(value: unknown): string | null {
  if (typeof value !== "string") return null;
  const cleaned = displayText(value).trim();
  return cleaned === "" ? null : truncate(cleaned, 300);
}

function number(value: unknown): string | null {
  return typeof value === "number" && Number.isFinite(value) ? String(value) : null;
}

function list(value: unknown): string | null {
  if (!Array.isArray(value)) return null;
  const items = value.map((item) => text(item) ?? number(item)).filter((item): item is string => item !== null);
  return items.length === 0 ? null : items.join(", ");
}

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

function instant(value: unknown): string | null {
  return typeof value === "string" && ISO_INSTANT.test(value) && !Number.isNaN(Date.parse(value))
    ? formatInstant(new Date(value))
    : text(value);
}

const yesNo = (value: unknown): string | null => (typeof value === "boolean" ? (value ? "Yes" : "No") : null);

/** Policies by name, each with why it does not count. */
function policiesNotCounted(value: unknown): string | null {
  if (!Array.isArray(value)) return null;
  const shown = value.flatMap((policy: unknown) => {
    if (typeof policy !== "object" || policy === null) return [];
    const { displayName, reasons } = policy as Record<string, unknown>;
    const why = list(reasons);
    return [`${text(displayName) ?? "(unnamed policy)"}${why === null ? "" : ` (${why})`}`];
  });
  return shown.length === 0 ? null : shown.join(" · ");
}

function policyNames(value: unknown): string | null {
  if (!Array.isArray(value)) return null;
  return list(
    value.map((policy: unknown) =>
      typeof policy === "object" && policy !== null ? (policy as Record<string, unknown>).displayName : null,
    ),
  );
}

const field = (label: string, show: Field["show"]): Field => ({ label, show });

const INACTIVE_ACCOUNT: FieldsOf<"accounts.inactive-30" | "accounts.inactive-90"> = {
  displayName: HEADING,
  userPrincipalName: HEADING,
  lastActivity: field("Last activity", (value, e) => (e.neverSignedIn === true ? "Never signed in" : instant(value))),
  neverSignedIn: shownWith("lastActivity"),
  daysInactive: field("Days inactive", number),
  createdDateTime: field("Created", instant),
  userType: field("Account type", text),
  onPremisesSyncEnabled: field("Synced from on-premises", (value) => (value === true ? "Yes (change it in on-premises AD)" : null)),
};

const ADMIN_MFA_WHY: Readonly<Record<string, string>> = {
  "not-registered": "No MFA method registered",
  "not-enforced": "MFA not required at sign-in",
};

const NOT_COUNTED = field("Policies that do not count", policiesNotCounted);

const BASELINE: FieldsOf<"mfa.all-users" | "auth.legacy-blocked"> = {
  decidedOn: field("Decided on", (value) =>
    value === "security-defaults" ? "Security defaults" : value === "conditional-access" ? "Conditional Access" : text(value),
  ),
  securityDefaultsEnabled: field("Security defaults on", yesNo),
  conditionalAccess: field("Conditional Access", text),
  missing: field("Legacy clients not blocked", list),
  policies: field("Policies that count", policyNames),
  policiesNotCounted: NOT_COUNTED,
};

/** Every control's fields (checked against model/evidence.ts), and whether its subject is an account. */
export const EVIDENCE_FIELDS: { readonly [C in ControlId]: { readonly account: boolean; readonly fields: FieldsOf<C> } } = {
  "accounts.inactive-30": { account: true, fields: INACTIVE_ACCOUNT },
  "accounts.inactive-90": { account: true, fields: INACTIVE_ACCOUNT },
  "mfa.admins": {
    account: true,
    fields: {
      displayName: HEADING,
      userPrincipalName: HEADING,
      roles: field("Roles", list),
      reason: field("Why", (value) => (typeof value === "string" ? (ADMIN_MFA_WHY[value] ?? text(value)) : null)),
      perUserMfaState: field("Per-user MFA", text),
      policiesNotCounted: NOT_COUNTED,
    },
  },
  "mfa.all-users": { account: false, fields: BASELINE },
  "auth.legacy-blocked": { account: false, fields: BASELINE },
  "password.sspr-enabled": {
    account: false,
    fields: {
      usersChecked: field("Members checked", number),
      usersWithoutSspr: field("Members without SSPR", number),
      sample: field("Some of them (object ids)", list),
    },
  },
  "password.never-expire": {
    account: false,
    fields: {
      passwordValidityPeriodInDays: field("Passwords expire after", (value) => (number(value) === null ? null : `${number(value)} days`)),
    },
  },
  "apps.user-consent": {
    account: false,
    fields: {
      offending: field("Policies letting users consent", list),
      permissionGrantPoliciesAssigned: field("Permission grant policies assigned", list),
    },
  },
  "roles.global-admin-count": {
    account: false,
    fields: {
      count: field("Global Administrators", number),
      admins: field("Their object ids", list),
      eligibleCounted: field("PIM-eligible holders counted", (value) =>
        value === false ? "No (eligibility not visible without Entra ID P2)" : yesNo(value),
      ),
    },
  },
};

const UNAVAILABLE: Readonly<Record<string, string>> = {
  license: "No licence for this data",
  permission: "Permission missing",
  error: "Reading failed",
} satisfies Record<UnavailableReason, string>;

/** The fields every `unknown` row adds (they take precedence: `reason` is then the unreadable source's). */
export const UNKNOWN_FIELDS: { readonly [K in keyof UnknownFields]-?: Field } = {
  source: field("Not readable", text),
  reason: field("Not judged because", (value) => (typeof value === "string" ? (UNAVAILABLE[value] ?? text(value)) : null)),
  message: field("Message", text),
  code: field("Error code", text),
  sources: field("All sources not readable", list),
  exclusionUnproven: field("Exclusion", (value) => (value === true ? "Not proven: an excluded group could not be read" : null)),
  failReason: field("Fails unless excluded because", (value) => (typeof value === "string" ? (ADMIN_MFA_WHY[value] ?? text(value)) : null)),
};

/** A field this version does not know (older or newer stored evidence): shown under its own name. */
function anyValue(value: unknown): string | null {
  if (typeof value === "string") return instant(value);
  if (typeof value === "number") return number(value);
  if (typeof value === "boolean") return yesNo(value);
  if (value === null || value === undefined) return null;
  return list(value) ?? text(JSON.stringify(value));
}

const isUnknownRow = (evidence: FindingDetail): boolean => typeof evidence.source === "string" && typeof evidence.message === "string";

/** The evidence as labelled rows, in a fixed order per control; the account's object id last. */
export function evidenceRows(finding: EvidenceSubject): EvidenceRow[] {
  const e = finding.evidence;
  if (e[DETAIL_TRUNCATED_KEY] === true) return [{ label: "Evidence", value: "Too large to show here; see the run report." }];
  const { account, fields } = EVIDENCE_FIELDS[finding.control];
  const own: [string, FieldSpec][] = Object.entries(fields);
  const specs = new Map(isUnknownRow(e) ? [...own.filter(([key]) => !(key in UNKNOWN_FIELDS)), ...Object.entries(UNKNOWN_FIELDS)] : own);
  const unlisted = Object.keys(e).filter((key) => !specs.has(key));
  const rows = [
    ...[...specs].map(([key, spec]) => ("label" in spec ? { label: spec.label, value: spec.show(e[key], e) } : null)),
    ...unlisted.map((key) => ({ label: displayText(key), value: anyValue(e[key]) })),
    account ? { label: "Object id", value: finding.subjectId } : null,
  ];
  return rows.filter((row): row is EvidenceRow => row !== null && row.value !== null && row.value !== "");
}

/** The account a row is about, from its evidence (cleaned for display); nulls when not given. */
export function accountOf(evidence: FindingDetail): { readonly [K in keyof AccountEvidence]: string | null } {
  return { displayName: text(evidence.displayName), userPrincipalName: text(evidence.userPrincipalName) };
}
