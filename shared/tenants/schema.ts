import { z } from "zod";
import type { TenantRecord } from "../model/tenant.js";
import { REMEDIATION_ACTIONS } from "../model/remediation.js";
import { sinkListSchema } from "../config/sinks.js";

/**
 * What an operator may register for a tenant, validated before anything is stored. Fixtures'
 * `config` blocks and the tenants CLI share it, so both reject the same mistakes the same way.
 */
const guid = z.guid("must be a GUID");

export const tenantConfigSchema = z.strictObject({
  exclusions: z.strictObject({ userIds: z.array(guid), groupIds: z.array(guid) }),
  approvers: z.array(z.email("must be an email address")),
  remediation: z
    .strictObject({
      actions: z.array(z.enum(REMEDIATION_ACTIONS)).optional(),
      blockUnregisteredAdmins: z.boolean().optional(),
      apiRunsWithoutApproval: z.boolean().optional(),
    })
    .optional(),
  notify: z.strictObject({ sinks: sinkListSchema }).optional(),
});

export const tenantRecordSchema = z.strictObject({
  tenantId: guid,
  displayName: z.string().trim().min(1, "must not be empty").max(256),
  enabled: z.boolean().default(true),
  config: tenantConfigSchema.default({ exclusions: { userIds: [], groupIds: [] }, approvers: [] }),
});

export class TenantValidationError extends Error {
  override readonly name = "TenantValidationError";
}

/** Parses one registration; the error lists every problem with its path, e.g. `config.approvers.0`. */
export function parseTenantRecord(input: unknown, source = "tenant"): TenantRecord {
  const parsed = tenantRecordSchema.safeParse(input);
  if (parsed.success) return parsed.data satisfies TenantRecord;
  const problems = parsed.error.issues.map((i) => `  - ${i.path.join(".") || "(root)"}: ${i.message}`);
  throw new TenantValidationError(`Invalid ${source}:\n${problems.join("\n")}`);
}
