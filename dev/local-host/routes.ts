/**
 * Azure Functions route templates (`approvals/{token}`, `tenants/{id:guid}/findings`,
 * `files/{*path}`, `items/{id?}`) matched against a request path, as the host does: literal
 * segments case-insensitively, one segment per parameter, an optional last parameter, a catch-all,
 * and the common constraints (int, alpha, guid, bool).
 */

import { isGuid } from "../../shared/model/ids.js";

export interface CompiledRoute {
  readonly template: string;
  /** Parameters by name (decoded), or undefined when the path does not match. */
  match(path: string): Record<string, string> | undefined;
}

type Segment =
  | { readonly kind: "literal"; readonly text: string }
  | {
      readonly kind: "param";
      readonly name: string;
      readonly optional: boolean;
      readonly catchAll: boolean;
      readonly constraint: string | undefined;
    };

const PARAM = /^\{(\*)?([A-Za-z_][A-Za-z0-9_]*)(?::([A-Za-z]+))?(\?)?\}$/;

const CONSTRAINTS: Readonly<Record<string, (value: string) => boolean>> = {
  int: (v) => /^-?\d+$/.test(v),
  alpha: (v) => /^[A-Za-z]+$/.test(v),
  guid: isGuid,
  bool: (v) => /^(true|false)$/i.test(v),
};

export function compileRoute(template: string): CompiledRoute {
  const segments: Segment[] = template
    .split("/")
    .filter((s) => s !== "")
    .map((text) => {
      const param = PARAM.exec(text);
      if (!param) {
        if (text.includes("{") || text.includes("}")) throw new RangeError(`Unsupported route segment "${text}" in ${template}`);
        return { kind: "literal", text: text.toLowerCase() };
      }
      const constraint = param[3]?.toLowerCase();
      if (constraint !== undefined && !CONSTRAINTS[constraint])
        throw new RangeError(`Unsupported route constraint "${constraint}" in ${template}`);
      return { kind: "param", name: param[2] ?? "", optional: param[4] === "?", catchAll: param[1] === "*", constraint };
    });
  return {
    template,
    match(path) {
      const parts = path.split("/").filter((s) => s !== "");
      const params: Record<string, string> = {};
      for (const [i, segment] of segments.entries()) {
        const part = parts[i];
        if (segment.kind === "literal") {
          if (part === undefined || safeDecode(part)?.toLowerCase() !== segment.text) return undefined;
          continue;
        }
        if (segment.catchAll) {
          const rest = parts.slice(i).map(safeDecode);
          if (rest.some((p) => p === undefined)) return undefined;
          if (rest.length > 0) params[segment.name] = rest.join("/");
          return params;
        }
        if (part === undefined) {
          if (segment.optional && i === segments.length - 1) return params;
          return undefined;
        }
        const value = safeDecode(part);
        if (value === undefined) return undefined;
        if (segment.constraint !== undefined && !CONSTRAINTS[segment.constraint]?.(value)) return undefined;
        params[segment.name] = value;
      }
      return parts.length === segments.length ? params : undefined;
    },
  };
}

export function safeDecode(part: string): string | undefined {
  try {
    return decodeURIComponent(part);
  } catch {
    return undefined; // malformed percent-encoding: no route matches it
  }
}
