/**
 * The one evidence renderer (shared/views/evidence.ts): its rows per control, stored evidence of
 * other versions, the compiler's hold on field names, and the email and the page showing the same rows.
 */
import { describe, expect, it } from "vitest";
import { renderDigest } from "../../shared/approvals/digest.js";
import { evaluateTenant } from "../../shared/controls/index.js";
import { appsUserConsent } from "../../shared/controls/apps-user-consent.js";
import { row } from "../../shared/controls/rows.js";
import type { Approval } from "../../shared/model/approval.js";
import { DETAIL_TRUNCATED_KEY } from "../../shared/model/evidence.js";
import type { FindingRow } from "../../shared/model/findings.js";
import type { TenantSnapshot } from "../../shared/model/snapshot.js";
import { confirmationPage } from "../../shared/views/approval-page.js";
import { EVIDENCE_FIELDS, UNKNOWN_FIELDS, evidenceRows, type EvidenceRow } from "../../shared/views/evidence.js";
import { escapeHtml } from "../../shared/views/html.js";
import { pendingApproval } from "../approvals/builders.js";
import {
  AS_OF,
  ID,
  daysAgo,
  failed,
  goodConfig,
  goodSnapshot,
  ok,
  patchPolicy,
  patchRegistration,
  patchUser,
  withGroupMembers,
} from "../controls/fixture.js";

/** Every control failing in some way: report-only MFA policy, disabled legacy block, and more. */
function messySnapshot(): TenantSnapshot {
  let s = patchPolicy(goodSnapshot(), ID.mfaPolicy, { state: "enabledForReportingButNotEnforced" });
  s = patchPolicy(s, ID.legacyPolicy, { state: "disabled" });
  s = patchRegistration(s, ID.alice, { isMfaRegistered: false });
  s = patchRegistration(s, ID.erin, { isSsprEnabled: false });
  s = patchUser(s, ID.erin, { signInActivity: { lastSignInDateTime: daysAgo(100) } });
  return {
    ...s,
    authorizationPolicy: ok({ permissionGrantPoliciesAssigned: ["ManagePermissionGrantsForSelf.microsoft-user-default-legacy"] }),
    domains: ok([{ id: "contoso.com", isVerified: true, isRoot: true, authenticationType: "Managed", passwordValidityPeriodInDays: 90 }]),
  };
}

function everySourceRefused(): TenantSnapshot {
  const s = goodSnapshot();
  const refused = failed("permission", "Insufficient privileges", "Authorization_RequestDenied");
  return {
    ...s,
    users: refused,
    registrationDetails: refused,
    roleAssignments: refused,
    securityDefaults: refused,
    conditionalAccessPolicies: refused,
    authorizationPolicy: refused,
    domains: refused,
  };
}

/** Rows of every shape the controls produce: pass, fail, unknown, exclusion unproven, CA without licence. */
function rowsOfEveryShape(): FindingRow[] {
  const snapshots = [
    goodSnapshot(),
    messySnapshot(),
    { ...messySnapshot(), conditionalAccessPolicies: failed("license") },
    withGroupMembers(messySnapshot(), ID.breakGlassGroup, failed("error")),
    everySourceRefused(),
  ];
  return snapshots.flatMap((snapshot) => evaluateTenant(snapshot, goodConfig(), AS_OF).rows);
}

const forFinding = (finding: FindingRow) => ({ control: finding.control, subjectId: finding.subjectId, evidence: finding.detail });

describe("evidenceRows", () => {
  it("labels every field the controls produce: no field falls back to its raw name", () => {
    const rows = rowsOfEveryShape();
    const produced = new Set(rows.flatMap((finding) => Object.keys(finding.detail)));
    for (const key of [
      "policiesNotCounted",
      "perUserMfaState",
      "missing",
      "conditionalAccess",
      "sources",
      "exclusionUnproven",
      "failReason",
      "code",
    ]) {
      expect(produced, key).toContain(key);
    }
    for (const finding of rows) {
      const known = [...Object.keys(EVIDENCE_FIELDS[finding.control].fields), ...Object.keys(UNKNOWN_FIELDS)];
      expect(
        Object.keys(finding.detail).filter((key) => !known.includes(key)),
        finding.control,
      ).toEqual([]);
    }
  });

  it("shows an inactive account's evidence in a fixed order, its name and UPN left to the heading", () => {
    const evidence = {
      userPrincipalName: "bobby@contoso.com",
      displayName: "Bobby",
      userType: "Member",
      onPremisesSyncEnabled: true,
      lastActivity: "2026-10-02T13:37:00Z",
      neverSignedIn: false,
      createdDateTime: "2022-07-04T09:00:00Z",
      daysInactive: 56,
    };
    expect(evidenceRows({ control: "accounts.inactive-30", subjectId: "user-1", evidence })).toEqual([
      { label: "Last activity", value: "2026-10-02 13:37 UTC" },
      { label: "Days inactive", value: "56" },
      { label: "Created", value: "2022-07-04 09:00 UTC" },
      { label: "Account type", value: "Member" },
      { label: "Synced from on-premises", value: "Yes (change it in on-premises AD)" },
      { label: "Object id", value: "user-1" },
    ]);
  });

  it("shows an unknown row's unreadable source, whose reason takes the place of the control's", () => {
    const [unknown] = evaluateTenant(everySourceRefused(), goodConfig(), AS_OF).rows.filter((r) => r.control === "mfa.admins");
    expect(evidenceRows(forFinding(unknown!))).toEqual([
      { label: "Not readable", value: "users" },
      { label: "Not judged because", value: "Permission missing" },
      { label: "Message", value: "Insufficient privileges" },
      { label: "Error code", value: "Authorization_RequestDenied" },
      { label: "All sources not readable", value: "users, registrationDetails, roleAssignments" },
    ]);
  });

  it("says why a fail became unknown when an excluded group could not be read", () => {
    const rows = evaluateTenant(withGroupMembers(messySnapshot(), ID.breakGlassGroup, failed("error")), goodConfig(), AS_OF).rows;
    const alice = rows.find((r) => r.control === "mfa.admins" && r.subjectId === ID.alice)!;
    expect(alice.status).toBe("unknown");
    expect(evidenceRows(forFinding(alice))).toEqual(
      expect.arrayContaining([
        { label: "Exclusion", value: "Not proven: an excluded group could not be read" },
        { label: "Fails unless excluded because", value: "No MFA method registered" },
      ]),
    );
  });

  it("shows the policies that do not count, each with its reasons", () => {
    const rows = evaluateTenant(messySnapshot(), goodConfig(), AS_OF).rows;
    const mfa = rows.find((r) => r.control === "mfa.all-users")!;
    expect(evidenceRows(forFinding(mfa))).toEqual([
      { label: "Decided on", value: "Conditional Access" },
      { label: "Security defaults on", value: "No" },
      { label: "Policies that do not count", value: "Require MFA for all users (report-only (enabledForReportingButNotEnforced))" },
    ]);
  });

  it("still shows stored evidence of another version: unknown fields under their name, odd values skipped, never a crash", () => {
    const stored = {
      daysInactive: "56",
      roles: "Global Administrator",
      lastLogon: "2020-01-15T08:00:00Z",
      legacyCount: 3,
      extra: { nested: true },
    };
    expect(evidenceRows({ control: "accounts.inactive-90", subjectId: null, evidence: stored })).toEqual([
      { label: "roles", value: "Global Administrator" },
      { label: "lastLogon", value: "2020-01-15 08:00 UTC" },
      { label: "legacyCount", value: "3" },
      { label: "extra", value: '{"nested":true}' },
    ]);
    expect(
      evidenceRows({ control: "mfa.admins", subjectId: "u", evidence: { [DETAIL_TRUNCATED_KEY]: true, originalChars: 40_000 } }),
    ).toEqual([{ label: "Evidence", value: "Too large to show here; see the run report." }]);
  });

  it("cleans values for display (control and bidi characters) but leaves escaping to the renderer", () => {
    const rows = evidenceRows({
      control: "mfa.admins",
      subjectId: null,
      evidence: { roles: ["<b>Admin</b>\u202Eexe.gpj", "Line\r\nbreak"] },
    });
    expect(rows).toEqual([{ label: "Roles", value: "<b>Admin</b>exe.gpj, Line break" }]);
  });

  it("is held to the evidence types by the compiler", () => {
    // A control that renames a field of its evidence does not compile…
    // @ts-expect-error `offendingPolicies` is not a field of apps.user-consent's evidence
    row(appsUserConsent, null, "fail", { offendingPolicies: [], permissionGrantPoliciesAssigned: [] });
    // …and neither does a renderer table that still has the old name, or misses a field.
    const renamedFields = { offendingPolicies: { heading: true }, permissionGrantPoliciesAssigned: { heading: true } } as const;
    // @ts-expect-error `offending` is missing
    const renamed: (typeof EVIDENCE_FIELDS)["apps.user-consent"]["fields"] = renamedFields;
    expect(renamed).toBeDefined();
  });
});

/** An approval for a fail row of the messy tenant, as planning stores it. */
function approvalFor(control: FindingRow["control"], action: Approval["action"]): Approval {
  const finding = evaluateTenant(messySnapshot(), goodConfig(), AS_OF).rows.find((r) => r.control === control && r.status === "fail")!;
  return pendingApproval({
    tenantId: "tenant-contoso",
    approvalId: `a-${control}`,
    control,
    subjectId: finding.subjectId,
    action,
    evidence: finding.detail,
  });
}

function digestRows(approval: Approval): EvidenceRow[] {
  const { html } = renderDigest({
    tenant: { tenantId: approval.tenantId, displayName: "Contoso" },
    runId: approval.runId,
    approvals: [approval],
    linkFor: (_, decision) => `https://patrol.example/api/approvals/t?decision=${decision}`,
  });
  return [
    ...html.matchAll(/<tr><td valign="top" style="[^"]*width:38%;">([^<]*)<\/td><td valign="top" style="[^"]*">([^<]*)<\/td><\/tr>/g),
  ].map(([, label, value]) => ({ label: label!, value: value! }));
}

function pageRows(approval: Approval): EvidenceRow[] {
  const page = confirmationPage({ approval, tenantName: "Contoso", csrfFieldName: "csrf", csrfField: "x", preselect: null });
  return [...page.html.matchAll(/<tr><th scope="row">([^<]*)<\/th><td>([^<]*)<\/td><\/tr>/g)].map(([, label, value]) => ({
    label: label!,
    value: value!,
  }));
}

describe("the digest email and the approval page", () => {
  it.each([
    ["accounts.inactive-90", "block-account"],
    ["mfa.admins", "enforce-mfa"],
    ["apps.user-consent", "disable-user-consent"],
    ["password.never-expire", "set-password-never-expire"],
  ] as const)("show the same labelled rows for the same %s finding", (control, action) => {
    const approval = approvalFor(control, action);
    const expected = evidenceRows(approval).map((r) => ({ label: escapeHtml(r.label), value: escapeHtml(r.value) }));
    expect(expected.length).toBeGreaterThan(0);
    expect(digestRows(approval)).toEqual(expected);
    expect(pageRows(approval)).toEqual(expected);
  });
});
