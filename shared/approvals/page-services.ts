/**
 * What the approval page needs, built from the app's settings and storage: the decision flow's
 * dependencies, the approval settings, and the key that signs its CSRF field.
 */
import { createHmac } from "node:crypto";
import type { ApprovalSettings } from "../config/settings.js";
import { remediate } from "../remediation/remediate.js";
import type { AuditRepository } from "../storage/audit.js";
import { sweepServices, type SweepServices } from "../sweep/services.js";
import type { ApprovalDecisionDeps } from "./decide.js";

export interface ApprovalPageServices {
  readonly settings: ApprovalSettings;
  /** HMAC key of the form's CSRF field, derived from the current signing key (never the key itself). */
  readonly csrfKey: Uint8Array;
  readonly deps: ApprovalDecisionDeps;
  readonly audit: AuditRepository;
}

/** Undefined when approvals are not configured (the page then answers 503). */
export function createApprovalPageServices(services: SweepServices): ApprovalPageServices | undefined {
  const settings = services.settings.approvals;
  if (!settings) return undefined;
  const { audit, approvals } = services;
  return {
    settings,
    csrfKey: createHmac("sha256", settings.signingKeys[0].secret).update("tenant-patrol/approval-form-csrf/v1").digest(),
    audit,
    deps: {
      keys: settings.signingKeys,
      approvals,
      tenants: services.tenants,
      remediate: (tenant, request, log) => remediate(services.remediationFor(tenant, log), request),
    },
  };
}

let appServices: { readonly value: ApprovalPageServices | undefined } | undefined;

/** The function app's instance, created on first use from app settings. */
export function approvalServices(): ApprovalPageServices | undefined {
  appServices ??= { value: createApprovalPageServices(sweepServices()) };
  return appServices.value;
}
