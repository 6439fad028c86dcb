import { describe, expect, it } from "vitest";
import { passwordSsprEnabled } from "../../shared/controls/password-sspr-enabled.js";
import type { SnapshotUser } from "../../shared/model/snapshot.js";
import { ID, dataOf, failed, goodConfig, goodSnapshot, ok, only, patchRegistration, patchUser, run, withGroupMembers } from "./fixture.js";

const verdict = (snapshot = goodSnapshot(), config = goodConfig()) => only(run(passwordSsprEnabled, snapshot, config));
/** Enabled members not excluded: Alice, Bob, Carol, Dave, Erin, Nina. */
const CHECKED = 6;

describe("password.sspr-enabled", () => {
  it("has the catalog's id and severity", () => {
    expect([passwordSsprEnabled.id, passwordSsprEnabled.severity]).toEqual(["password.sspr-enabled", "low"]);
  });

  it("passes the known-good tenant (the guest and the excluded account lack SSPR and do not count)", () => {
    expect(verdict()).toEqual({
      control: "password.sspr-enabled",
      subjectId: null,
      status: "pass",
      severity: "low",
      detail: { usersChecked: CHECKED, usersWithoutSspr: 0, sample: [] },
    });
  });

  it("fails when one enabled member lacks SSPR, with the count and a sample", () => {
    expect(verdict(patchRegistration(goodSnapshot(), ID.erin, { isSsprEnabled: false }))).toMatchObject({
      status: "fail",
      detail: { usersChecked: CHECKED, usersWithoutSspr: 1, sample: [ID.erin] },
    });
  });

  it("keeps the sample to 10 sorted ids while counting all", () => {
    const ids = Array.from({ length: 12 }, (_, i) => `user-extra-${String(i).padStart(2, "0")}`);
    const users = dataOf(goodSnapshot().users);
    const extra = ids.map((id) => ({ ...users[0], id }) as SnapshotUser);
    const snapshot = { ...goodSnapshot(), users: ok([...users, ...extra]) };
    expect(verdict(snapshot).detail).toEqual({ usersChecked: CHECKED + 12, usersWithoutSspr: 12, sample: ids.slice(0, 10) });
  });

  it("counts a member without a registration row as without SSPR", () => {
    expect(verdict(patchRegistration(goodSnapshot(), ID.bob, null))).toMatchObject({
      status: "fail",
      detail: { usersWithoutSspr: 1, sample: [ID.bob] },
    });
  });

  it("ignores guests (users say Guest, registration details say guest)", () => {
    // Gus the guest has isSsprEnabled false in the known-good tenant; as a member he fails it.
    expect(verdict(patchUser(goodSnapshot(), ID.gus, { userType: "Member" }))).toMatchObject({
      status: "fail",
      detail: { sample: [ID.gus] },
    });
  });

  it("counts a user without userType as a member", () => {
    expect(verdict(patchUser(goodSnapshot(), ID.gus, { userType: null })).status).toBe("fail");
  });

  it("ignores disabled users (Frank, disabled, has no registration row)", () => {
    expect(verdict(patchUser(goodSnapshot(), ID.frank, { accountEnabled: true }))).toMatchObject({
      status: "fail",
      detail: { usersChecked: CHECKED + 1, sample: [ID.frank] },
    });
  });

  it("ignores excluded users (Sam, in the break-glass group, lacks SSPR)", () => {
    const config = { ...goodConfig(), exclusions: { ...goodConfig().exclusions, groupIds: [] } };
    expect(verdict(goodSnapshot(), config)).toMatchObject({ status: "fail", detail: { usersWithoutSspr: 1, sample: [ID.sam] } });
  });

  it("reports unknown, not fail, when only users an unreadable excluded group might exclude lack SSPR", () => {
    expect(verdict(withGroupMembers(goodSnapshot(), ID.breakGlassGroup, failed("permission", "denied")))).toEqual({
      control: "password.sspr-enabled",
      subjectId: null,
      status: "unknown",
      severity: "low",
      detail: {
        usersChecked: CHECKED + 1,
        usersWithoutSspr: 1,
        sample: [ID.sam],
        exclusionUnproven: true,
        reason: "permission",
        source: `groupMembers/${ID.breakGlassGroup}`,
        message: "denied",
      },
    });
  });

  it.each(["license", "permission", "error"] as const)("reports unknown when registration details are unreadable (%s)", (reason) => {
    expect(verdict({ ...goodSnapshot(), registrationDetails: failed(reason, "refused") })).toMatchObject({
      status: "unknown",
      detail: { reason, source: "registrationDetails", message: "refused" },
    });
  });

  it("reports unknown when users are unreadable", () => {
    expect(verdict({ ...goodSnapshot(), users: failed("permission") })).toMatchObject({ status: "unknown", detail: { source: "users" } });
  });
});
