/**
 * The onboarding check as text for a terminal. Graph's messages and anything else from the tenant
 * are escaped (shared/logging/log-text.ts): one printed line is always one line, without control
 * or bidi characters.
 */
import { logText } from "../logging/log-text.js";
import type { FeatureStatus, ReadinessReport } from "../model/readiness.js";

const STATUS_TEXT: Readonly<Record<FeatureStatus, string>> = {
  ready: "ready",
  "not-needed": "not needed",
  "missing-permission": "MISSING PERMISSION",
  "missing-role": "MISSING ENTRA ROLE",
  "missing-licence": "missing licence",
  error: "ERROR",
};

export function renderReadiness(report: ReadinessReport, tenantName?: string): string[] {
  const name = tenantName === undefined ? "" : ` (${logText(tenantName)})`;
  const lines = [`Tenant ${report.tenantId}${name}, checked ${report.checkedAt} as app ${report.appId}`];
  if (!report.signedIn) {
    lines.push(`  could not sign in: ${logText(report.signInError)}`);
  } else {
    lines.push(`  granted application permissions (token roles): ${report.grantedPermissions.map(logText).join(", ") || "none"}`);
    const roles = report.appDirectoryRoles === null ? "not readable" : report.appDirectoryRoles.map(logText).join(", ") || "none";
    lines.push(`  app's Entra roles: ${roles}`);
  }
  lines.push("");
  for (const feature of report.features) {
    lines.push(`${STATUS_TEXT[feature.status].padEnd(19)} ${feature.title}`);
    if (feature.missingPermissions.length > 0) lines.push(`    missing permissions: ${feature.missingPermissions.join(", ")}`);
    if (feature.missingRole !== null) lines.push(`    missing Entra role of the app: ${feature.missingRole}`);
    for (const gap of feature.missingLicences) lines.push(`    missing licence: ${gap.licence} (to ${gap.for.join(", ")})`);
    for (const problem of feature.problems) lines.push(`    ${logText(problem)}`);
    for (const step of feature.next) lines.push(`    → ${logText(step)}`);
  }
  lines.push(
    "",
    report.sweepReady
      ? "The nightly sweep is ready for this tenant."
      : "The nightly sweep is NOT ready for this tenant: fix the gaps above and check again.",
  );
  return lines;
}
