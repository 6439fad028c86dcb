/**
 * What the approval page needs, built from the app's settings and storage: the decision flow's
 * dependencies, the approval settings, and the key that signs its CSRF field.
 */
import type { ApprovalDecisionDeps } from "../approvals/decide.js";
import { formCsrfOptions, type CsrfOptions } from "../http/csrf.js";
import type { ApprovalSettings } from "../config/settings.js";
import type { TenantRecord } from "../model/tenant.js";
import { remediate, type RemediationDeps, type RemediationLog } from "../remediation/remediate.js";
import type { ApprovalsRepository } from "../storage/approvals.js";
import type { TenantsRepository } from "../storage/tenants.js";

export interface ApprovalPageServices {
  readonly settings: ApprovalSettings;
  /** The confirmation form's CSRF protection (shared/http/csrf.ts). */
  readonly csrf: CsrfOptions;
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
    csrf: formCsrfOptions(settings, "approval-form"),
    deps: {
      keys: settings.signingKeys,
      approvals: parts.approvals,
      tenants: parts.tenants,
      remediate: (tenant, request, log) => remediate(parts.remediationFor(tenant, log), request),
    },
  };
}
