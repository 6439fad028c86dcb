/**
 * Cuts the slice of Microsoft Graph's v1.0 CSDL that the simulator serves into a small TS module
 * (graph-types.generated.ts), so fixtures, $select/$filter and PATCH bodies are checked against
 * Graph's real property names, types and enum members without parsing 3.5 MB of XML at start-up.
 *
 * Usage: npx tsx dev/simulator/metadata/generate-graph-types.ts <cleanMetadata.xml>, a downloaded
 * copy of microsoftgraph/msgraph-metadata clean_v10_metadata/cleanMetadata.xml at the commit
 * docs/reference/graph-facts.md §9 pins.
 */
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";

const GRAPH_NS = "microsoft.graph";
const ROOT_TYPES = [
  "user",
  "group",
  "servicePrincipal",
  "device",
  "orgContact",
  "userRegistrationDetails",
  "unifiedRoleAssignment",
  "unifiedRoleEligibilitySchedule",
  "conditionalAccessPolicy",
  "authenticationStrengthPolicy",
  "authorizationPolicy",
  "identitySecurityDefaultsEnforcementPolicy",
  "domain",
  "message",
];

interface RawType {
  kind: "entity" | "complex" | "enum";
  base?: string;
  open?: boolean;
  abstract?: boolean;
  flags?: boolean;
  props: Record<string, string>;
  nonNullable: string[];
  nav: string[];
  members: string[];
}

const attr = (line: string, name: string): string | undefined => new RegExp(`\\b${name}="([^"]*)"`).exec(line)?.[1];

/** "graph.x" / "microsoft.graph.x" → "x"; other namespaces keep their full name; Edm stays. */
function shortName(type: string): string {
  const collection = /^Collection\((.*)\)$/.exec(type);
  if (collection?.[1] !== undefined) return `Collection(${shortName(collection[1])})`;
  if (type.startsWith("graph.")) return type.slice("graph.".length);
  if (type.startsWith(`${GRAPH_NS}.`) && !type.slice(GRAPH_NS.length + 1).includes(".")) return type.slice(GRAPH_NS.length + 1);
  return type;
}

function parseGraphSchema(xml: string): Map<string, RawType> {
  const start = xml.indexOf(`<Schema Namespace="${GRAPH_NS}"`);
  const end = xml.indexOf("</Schema>", start);
  const types = new Map<string, RawType>();
  let current: RawType | undefined;
  for (const line of xml.slice(start, end).split("\n")) {
    const open = /<(EntityType|ComplexType|EnumType) /.exec(line);
    if (open) {
      const kind = open[1] === "EnumType" ? "enum" : open[1] === "EntityType" ? "entity" : "complex";
      const base = attr(line, "BaseType");
      current = { kind, props: {}, nonNullable: [], nav: [], members: [] };
      if (base !== undefined) current.base = shortName(base);
      if (attr(line, "OpenType") === "true") current.open = true;
      if (attr(line, "Abstract") === "true") current.abstract = true;
      if (attr(line, "IsFlags") === "true") current.flags = true;
      types.set(attr(line, "Name") ?? "", current);
      if (line.trimEnd().endsWith("/>")) current = undefined;
      continue;
    }
    if (/<\/(EntityType|ComplexType|EnumType)>/.test(line)) current = undefined;
    if (!current) continue;
    const name = attr(line, "Name");
    if (name === undefined) continue;
    if (line.includes("<Property ")) {
      current.props[name] = shortName(attr(line, "Type") ?? "Edm.String");
      if (attr(line, "Nullable") === "false") current.nonNullable.push(name);
    } else if (line.includes("<NavigationProperty ")) current.nav.push(name);
    else if (line.includes("<Member ")) current.members.push(name);
  }
  return types;
}

function closure(types: Map<string, RawType>): Map<string, RawType> {
  const wanted = new Map<string, RawType>();
  const queue = [...ROOT_TYPES];
  const enqueue = (type: string): void => {
    const inner = /^Collection\((.*)\)$/.exec(type)?.[1] ?? type;
    if (!inner.startsWith("Edm.") && types.has(inner) && !wanted.has(inner)) queue.push(inner);
  };
  let grew = true;
  while (grew) {
    while (queue.length > 0) {
      const name = queue.pop() ?? "";
      const type = types.get(name);
      if (!type || wanted.has(name)) continue;
      wanted.set(name, type);
      if (type.base !== undefined) enqueue(type.base);
      for (const propType of Object.values(type.props)) enqueue(propType);
    }
    // A complex-typed property may hold a derived complex type (@odata.type): keep those too.
    grew = false;
    for (const [name, type] of types) {
      if (type.kind === "complex" && type.base !== undefined && wanted.has(type.base) && !wanted.has(name)) {
        queue.push(name);
        grew = true;
      }
    }
  }
  return new Map([...wanted].sort(([a], [b]) => a.localeCompare(b)));
}

function render(types: Map<string, RawType>, source: string): string {
  const lines = [...types].map(([name, t]) => {
    const fields: string[] = [`kind: "${t.kind}"`];
    if (t.base !== undefined) fields.push(`base: "${t.base}"`);
    if (t.open) fields.push("open: true");
    if (t.abstract) fields.push("abstract: true");
    if (t.flags) fields.push("flags: true");
    if (t.kind === "enum") fields.push(`members: ${JSON.stringify(t.members)}`);
    else {
      fields.push(`props: ${JSON.stringify(t.props)}`);
      if (t.nonNullable.length > 0) fields.push(`nonNullable: ${JSON.stringify(t.nonNullable)}`);
      if (t.nav.length > 0) fields.push(`nav: ${JSON.stringify(t.nav)}`);
    }
    return `  ${JSON.stringify(name)}: { ${fields.join(", ")} },`;
  });
  return [
    "// Generated by dev/simulator/metadata/generate-graph-types.ts from Microsoft Graph's v1.0 CSDL",
    `// (${source}). Do not edit by hand: re-run the generator.`,
    'import type { GraphTypeDef } from "./graph-type-def.js";',
    "",
    "export const GRAPH_TYPES: Readonly<Record<string, GraphTypeDef>> = {",
    ...lines,
    "};",
    "",
  ].join("\n");
}

const input = process.argv[2];
if (input === undefined) {
  console.error(
    "usage: npx tsx dev/simulator/metadata/generate-graph-types.ts <cleanMetadata.xml>\n(Graph's v1.0 CSDL: docs/reference/graph-facts.md §9 says where to download it)",
  );
  process.exit(2);
}
const output = path.join(import.meta.dirname, "graph-types.generated.ts");
const selected = closure(parseGraphSchema(readFileSync(input, "utf8")));
writeFileSync(output, render(selected, path.basename(input)));
console.log(`wrote ${selected.size} types to ${output}`);
