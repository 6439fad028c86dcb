/**
 * Just enough of the ARM template expression language to read a compiled Bicep template offline:
 * parameters, variables, objects, conditions, format, map with lambdas, copy loops. Whatever only
 * Azure can know at deployment time (reference(), resourceId(), uniqueString(), ...) evaluates to an
 * Opaque value that keeps its expression text, so a test can see where a value comes from
 * (https://learn.microsoft.com/azure/azure-resource-manager/templates/template-expressions).
 */

export class Opaque {
  constructor(readonly text: string) {}
}

export type Value = string | number | boolean | null | Opaque | Value[] | { [key: string]: Value } | Lambda;
type Lambda = (...args: Value[]) => Value;

export interface Template {
  readonly parameters?: Record<string, { readonly type: string; readonly defaultValue?: unknown }>;
  readonly variables?: Record<string, unknown>;
  readonly resources: readonly Resource[] | Record<string, Resource>;
  readonly outputs?: Record<string, { readonly type: string; readonly value: unknown }>;
}

export interface Resource {
  readonly type: string;
  readonly name: string;
  readonly condition?: unknown;
  readonly copy?: { readonly name: string; readonly count: unknown };
  readonly properties?: Record<string, unknown>;
  readonly [key: string]: unknown;
}

/** A template with the parameter values it was deployed with. */
export class Scope {
  readonly #params: Record<string, Value>;
  readonly #lambda: Record<string, Value>;
  readonly #copyIndex: number | undefined;

  constructor(
    readonly template: Template,
    params: Record<string, Value> = {},
    options: { lambda?: Record<string, Value>; copyIndex?: number } = {},
  ) {
    this.#params = params;
    this.#lambda = options.lambda ?? {};
    this.#copyIndex = options.copyIndex;
  }

  resources(): Resource[] {
    const r = this.template.resources;
    return Array.isArray(r) ? [...(r as readonly Resource[])] : Object.values(r as Record<string, Resource>);
  }

  parameter(name: string): Value {
    if (name in this.#params) return this.#params[name] as Value;
    const declared = this.template.parameters?.[name];
    if (!declared) throw new Error(`parameters('${name}') is not declared`);
    if (!("defaultValue" in declared)) throw new Error(`parameters('${name}') has no value and no default`);
    return this.value(declared.defaultValue);
  }

  variable(name: string): Value {
    const variables = this.template.variables ?? {};
    if (!(name in variables)) throw new Error(`variables('${name}') is not declared`);
    return this.value(variables[name]);
  }

  withLambda(bindings: Record<string, Value>): Scope {
    return new Scope(this.template, this.#params, { lambda: { ...this.#lambda, ...bindings }, copyIndex: this.#copyIndex });
  }

  withCopyIndex(index: number): Scope {
    return new Scope(this.template, this.#params, { lambda: this.#lambda, copyIndex: index });
  }

  lambdaVariable(name: string): Value {
    if (!(name in this.#lambda)) throw new Error(`lambdaVariables('${name}') outside its lambda`);
    return this.#lambda[name] as Value;
  }

  copyIndex(): number {
    if (this.#copyIndex === undefined) throw new Error("copyIndex() outside a copy loop");
    return this.#copyIndex;
  }

  /** A template JSON value: "[...]" strings are expressions, "[[" escapes a literal bracket. */
  value(json: unknown): Value {
    if (typeof json === "string") {
      if (json.startsWith("[[")) return json.slice(1);
      if (json.startsWith("[") && json.endsWith("]")) return evaluate(parse(json.slice(1, -1)), this);
      return json;
    }
    if (Array.isArray(json)) return json.map((item) => this.value(item));
    if (json !== null && typeof json === "object") return Object.fromEntries(Object.entries(json).map(([k, v]) => [k, this.value(v)]));
    return json as Value;
  }

  /** Every instance of a resource (one, or one per copy index), skipping those whose condition is false. */
  instances(resource: Resource): { scope: Scope; resource: Resource }[] {
    const count = resource.copy ? this.value(resource.copy.count) : 1;
    if (typeof count !== "number") throw new Error(`copy count of ${resource.type} is not known offline`);
    const all = Array.from({ length: count }, (_, i) => (resource.copy ? this.withCopyIndex(i) : (this as Scope)));
    return all
      .filter((scope) => resource.condition === undefined || scope.value(resource.condition) === true)
      .map((scope) => ({ scope, resource }));
  }

  /** The nested template of a module deployment, with the parameter values this scope passes it. */
  module(name: string): Scope {
    const deployment = this.resources().find((r) => r.type === "Microsoft.Resources/deployments" && r.name === name);
    if (!deployment) throw new Error(`no module deployment named ${name}`);
    const properties = deployment.properties as { template: Template; parameters?: Record<string, { value: unknown }> };
    const params = Object.fromEntries(Object.entries(properties.parameters ?? {}).map(([k, v]) => [k, this.value(v.value)]));
    return new Scope(properties.template, params);
  }
}

type Node =
  | { readonly kind: "string"; readonly value: string; readonly src: string }
  | { readonly kind: "number"; readonly value: number; readonly src: string }
  | { readonly kind: "call"; readonly name: string; readonly args: readonly Node[]; readonly src: string }
  | { readonly kind: "property"; readonly target: Node; readonly name: string; readonly src: string }
  | { readonly kind: "index"; readonly target: Node; readonly index: Node; readonly src: string };

export function parse(text: string): Node {
  let at = 0;
  const skip = () => {
    while (at < text.length && /\s/.test(text[at] as string)) at++;
  };
  const expect = (c: string) => {
    skip();
    if (text[at] !== c) throw new Error(`expected '${c}' at ${at} in ${text}`);
    at++;
  };
  const primary = (): Node => {
    skip();
    const start = at;
    const c = text[at];
    if (c === "'") {
      let value = "";
      at++;
      for (;;) {
        if (at >= text.length) throw new Error(`unterminated string in ${text}`);
        if (text[at] === "'") {
          if (text[at + 1] === "'") {
            value += "'";
            at += 2;
            continue;
          }
          at++;
          break;
        }
        value += text[at++];
      }
      return { kind: "string", value, src: text.slice(start, at) };
    }
    const number = /^-?\d+/.exec(text.slice(at));
    if (number) {
      at += number[0].length;
      return { kind: "number", value: Number(number[0]), src: number[0] };
    }
    const name = /^[A-Za-z_][\w.]*?(?=\s*\()/.exec(text.slice(at));
    if (!name) throw new Error(`unexpected '${c ?? "end"}' at ${at} in ${text}`);
    at += name[0].length;
    expect("(");
    const args: Node[] = [];
    skip();
    if (text[at] !== ")") {
      for (;;) {
        args.push(expression());
        skip();
        if (text[at] === ",") {
          at++;
          continue;
        }
        break;
      }
    }
    expect(")");
    return { kind: "call", name: name[0], args, src: text.slice(start, at) };
  };
  const expression = (): Node => {
    skip();
    const start = at;
    let node = primary();
    for (;;) {
      skip();
      if (text[at] === ".") {
        at++;
        const name = /^[A-Za-z_$][\w$-]*/.exec(text.slice(at));
        if (!name) throw new Error(`expected a property name at ${at} in ${text}`);
        at += name[0].length;
        node = { kind: "property", target: node, name: name[0], src: text.slice(start, at) };
      } else if (text[at] === "[") {
        at++;
        const index = expression();
        expect("]");
        node = { kind: "index", target: node, index, src: text.slice(start, at) };
      } else {
        return node;
      }
    }
  };
  const node = expression();
  skip();
  if (at !== text.length) throw new Error(`trailing text at ${at} in ${text}`);
  return node;
}

/** A value as text: strings as they are, Opaque values as their expression, others as JSON. */
export function text(v: Value | undefined): string {
  if (v instanceof Opaque) return v.text;
  if (typeof v === "string") return v;
  if (typeof v === "function") return "<lambda>";
  return JSON.stringify(v) ?? "undefined";
}

const isObject = (v: Value): v is { [key: string]: Value } =>
  v !== null && typeof v === "object" && !Array.isArray(v) && !(v instanceof Opaque);

/** Text of a value inside an Opaque result: known strings as they are, Opaque parts as ⟨expression⟩. */
function fragment(v: Value): string {
  return v instanceof Opaque ? `⟨${v.text}⟩` : typeof v === "string" ? v : JSON.stringify(v);
}

function evaluate(node: Node, scope: Scope): Value {
  switch (node.kind) {
    case "string":
    case "number":
      return node.value;
    case "property": {
      const target = evaluate(node.target, scope);
      if (target instanceof Opaque) return new Opaque(node.src);
      if (!isObject(target) || !(node.name in target)) throw new Error(`${node.src}: no property ${node.name}`);
      return target[node.name] as Value;
    }
    case "index": {
      const target = evaluate(node.target, scope);
      const index = evaluate(node.index, scope);
      if (target instanceof Opaque || index instanceof Opaque) return new Opaque(node.src);
      if (Array.isArray(target) && typeof index === "number") return target[index] as Value;
      if (isObject(target) && typeof index === "string" && index in target) return target[index] as Value;
      throw new Error(`${node.src}: cannot index`);
    }
    case "call":
      return call(node, scope);
  }
}

function call(node: Extract<Node, { kind: "call" }>, scope: Scope): Value {
  const name = node.name.toLowerCase();
  if (name === "lambda") {
    const names = node.args.slice(0, -1).map((a) => evaluate(a, scope));
    const body = node.args.at(-1) as Node;
    return (...values: Value[]) => evaluate(body, scope.withLambda(Object.fromEntries(names.map((n, i) => [text(n), values[i] as Value]))));
  }
  if (name === "if") {
    const condition = evaluate(node.args[0] as Node, scope);
    if (typeof condition !== "boolean") return new Opaque(node.src);
    return evaluate(node.args[condition ? 1 : 2] as Node, scope);
  }
  const args = node.args.map((a) => evaluate(a, scope));
  const opaque = args.some((a) => a instanceof Opaque);
  switch (name) {
    case "parameters":
      return scope.parameter(text(args[0]));
    case "variables":
      return scope.variable(text(args[0]));
    case "lambdavariables":
      return scope.lambdaVariable(text(args[0]));
    case "copyindex":
      return scope.copyIndex() + (typeof args[0] === "number" ? args[0] : 0);
    case "true":
      return true;
    case "false":
      return false;
    case "null":
      return null;
    case "createobject": {
      const object: Record<string, Value> = {};
      for (let i = 0; i < args.length; i += 2) object[text(args[i])] = args[i + 1] as Value;
      return object;
    }
    case "createarray":
      return args;
    case "union":
      if (opaque) return new Opaque(node.src);
      if (args.every(isObject)) return Object.assign({}, ...args) as Value;
      if (args.every(Array.isArray)) return [...new Set(args.flat())] as Value;
      throw new Error(`${node.src}: union of mixed values`);
    case "equals":
      return opaque ? new Opaque(node.src) : JSON.stringify(args[0]) === JSON.stringify(args[1]);
    case "not":
      return opaque ? new Opaque(node.src) : !args[0];
    case "and":
      return opaque ? new Opaque(node.src) : args.every(Boolean);
    case "or":
      return opaque ? new Opaque(node.src) : args.some(Boolean);
    case "empty": {
      const v = args[0] as Value;
      if (v instanceof Opaque) return new Opaque(node.src);
      return v === null || v === "" || (Array.isArray(v) && v.length === 0) || (isObject(v) && Object.keys(v).length === 0);
    }
    case "length": {
      const v = args[0] as Value;
      if (typeof v === "string" || Array.isArray(v)) return v.length;
      if (isObject(v)) return Object.keys(v).length;
      return new Opaque(node.src);
    }
    case "format":
      if (opaque) return new Opaque(text(args[0]).replace(/\{(\d+)\}/g, (_, i: string) => fragment(args[Number(i) + 1] as Value)));
      return text(args[0]).replace(/\{(\d+)\}/g, (_, i: string) => text(args[Number(i) + 1]));
    case "concat":
      if (args.every(Array.isArray)) return args.flat() as Value;
      return opaque ? new Opaque(args.map(fragment).join("")) : args.map((a) => text(a)).join("");
    case "string":
      return opaque ? new Opaque(node.src) : text(args[0]);
    case "tolower":
      return opaque ? new Opaque(node.src) : text(args[0]).toLowerCase();
    case "take":
      return opaque ? new Opaque(node.src) : text(args[0]).slice(0, Number(args[1]));
    case "replace":
      return opaque ? new Opaque(node.src) : text(args[0]).split(text(args[1])).join(text(args[2]));
    case "max":
      return opaque ? new Opaque(node.src) : Math.max(...(args as number[]));
    case "min":
      return opaque ? new Opaque(node.src) : Math.min(...(args as number[]));
    case "div":
      return opaque ? new Opaque(node.src) : Math.trunc(Number(args[0]) / Number(args[1]));
    case "map": {
      const [items, fn] = args;
      if (!Array.isArray(items) || typeof fn !== "function") return new Opaque(node.src);
      return items.map((item, i) => fn(item, i));
    }
    case "flatten":
      return Array.isArray(args[0]) ? args[0].flat() : new Opaque(node.src);
    case "subscriptionresourceid":
      return opaque
        ? new Opaque(node.src)
        : `/subscriptions/{subscriptionId}/providers/${text(args[0])}/${args.slice(1).map(String).join("/")}`;
    default:
      // reference(), resourceId(), uniquetext(), guid(), subscription(), environment(), ...: known in Azure only.
      return new Opaque(node.src);
  }
}
