import { describe, expect, it } from "vitest";
import { appsUserConsent } from "../../shared/controls/apps-user-consent.js";
import { failed, goodSnapshot, ok, only, run } from "./fixture.js";

const OWNED = "ManagePermissionGrantsForOwnedResource.microsoft-dynamically-managed-permissions-for-team";
const withAssigned = (...ids: string[]) => ({
  ...goodSnapshot(),
  authorizationPolicy: ok({ permissionGrantPoliciesAssigned: [OWNED, ...ids] }),
});
const verdict = (snapshot = goodSnapshot()) => only(run(appsUserConsent, snapshot));

describe("apps.user-consent", () => {
  it("has the catalog's id and severity", () => {
    expect([appsUserConsent.id, appsUserConsent.severity]).toEqual(["apps.user-consent", "medium"]);
  });

  it("passes the known-good tenant (only an owned-resource entry)", () => {
    expect(verdict()).toEqual({
      control: "apps.user-consent",
      subjectId: null,
      status: "pass",
      severity: "medium",
      detail: { offending: [], permissionGrantPoliciesAssigned: [OWNED] },
    });
  });

  it("passes with an empty list", () => {
    expect(verdict({ ...goodSnapshot(), authorizationPolicy: ok({ permissionGrantPoliciesAssigned: [] }) }).status).toBe("pass");
  });

  it.each(["legacy", "low", "recommended"])("fails on the built-in self-consent policy -%s and lists it", (suffix) => {
    const entry = `ManagePermissionGrantsForSelf.microsoft-user-default-${suffix}`;
    expect(verdict(withAssigned(entry))).toMatchObject({
      status: "fail",
      detail: { offending: [entry], permissionGrantPoliciesAssigned: [OWNED, entry] },
    });
  });

  it("compares case-insensitively", () => {
    const entry = "managepermissiongrantsforself.Microsoft-User-Default-Low";
    expect(verdict(withAssigned(entry))).toMatchObject({ status: "fail", detail: { offending: [entry] } });
  });

  it("passes with a custom (admin-managed) self-consent policy", () => {
    expect(verdict(withAssigned("ManagePermissionGrantsForSelf.contoso-verified-only")).status).toBe("pass");
  });

  it("reports unknown when the authorization policy is unreadable", () => {
    expect(verdict({ ...goodSnapshot(), authorizationPolicy: failed("permission", "denied") })).toMatchObject({
      status: "unknown",
      detail: { reason: "permission", source: "authorizationPolicy", message: "denied" },
    });
  });
});
