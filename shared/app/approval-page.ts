/**
 * What the approval page needs, built from the app's settings and storage: the decision flow's
 * dependencies, the approval settings, and the key that signs its CSRF field.
 */
import { createHmac } from "node:crypto";
import type { ApprovalDecisionDeps } from "../approvals/decide.js";
import type { ApprovalSettings } from "../config/settings.js";
import type { TenantRecord } from "../model/tenant.js";
import { remediate, type RemediationDeps, type RemediationLog } from "../remediation/remediate.js";
import type { ApprovalsRepository } from "../storage/approvals.js";
import type { TenantsRepository } from "../storage/tenants.js";

export interface ApprovalPageServices {
  readonly settings: ApprovalSettings;
  /** HMAC key of the form's CSRF field, derived from the current signing key (never the key itself). */
  readonly csrfKey: Uint8Array;
  readonly deps: ApprovalDecisionDeps;
}

export interface ApprovalPageParts {
  readonly approvals: ApprovalsRepository;
  readonly tenants: Pick<TenantsRepository, "get">;
  remediationFor(tenant: TenantRecord, log?: RemediationLog): RemediationDeps;
}

export function approvalPageServices(settings: ApprovalSettings, parts: ApprovalPageParts): ApprovalPageServices {
  return {
    settings,
    csrfKey: createHmac("sha256", settings.signingKeys[0].secret).update("tenant-patrol/approval-form-csrf/v1").digest(),
    deps: {
      keys: settings.signingKeys,
      approvals: parts.approvals,
      tenants: parts.tenants,
      remediate: (tenant, request, log) => remediate(parts.remediationFor(tenant, log), request),
    },
  };
}
