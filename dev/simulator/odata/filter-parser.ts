/**
 * $filter → expression tree. Covers the OData subset Graph's directory supports and the project
 * uses: comparisons (eq ne gt ge lt le) with 'strings', numbers, true/false/null, unquoted
 * datetimes and GUIDs; `in (...)`; startsWith/endsWith; `any(x: x eq 'v')` lambdas; and/or/not;
 * parentheses. Anything else is a syntax error naming the position, like Graph's 400.
 */
import { GUID_PATTERN } from "../../../shared/model/ids.js";

export type Literal =
  | { readonly kind: "string"; readonly value: string }
  | { readonly kind: "number"; readonly value: number }
  | { readonly kind: "boolean"; readonly value: boolean }
  | { readonly kind: "null" }
  | { readonly kind: "datetime"; readonly value: string; readonly epochMs: number }
  | { readonly kind: "guid"; readonly value: string };

export type ComparisonOperator = "eq" | "ne" | "gt" | "ge" | "lt" | "le";

export type FilterExpr =
  | { readonly kind: "and" | "or"; readonly left: FilterExpr; readonly right: FilterExpr }
  | { readonly kind: "not"; readonly operand: FilterExpr }
  | { readonly kind: "compare"; readonly op: ComparisonOperator; readonly path: readonly string[]; readonly value: Literal }
  | { readonly kind: "in"; readonly path: readonly string[]; readonly values: readonly Literal[] }
  | {
      readonly kind: "function";
      readonly name: "startsWith" | "endsWith";
      readonly path: readonly string[];
      readonly value: string;
      readonly expected: boolean;
    }
  | { readonly kind: "any"; readonly path: readonly string[]; readonly variable: string; readonly body: FilterExpr };

export class FilterSyntaxError extends Error {
  override readonly name = "FilterSyntaxError";
}

type Token =
  | { kind: "ident"; text: string; pos: number }
  | { kind: "literal"; value: Literal; pos: number }
  | { kind: "punct"; text: "(" | ")" | "," | ":" | "/"; pos: number }
  | { kind: "end"; pos: number };

const DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})/;
const GUID = new RegExp(`^${GUID_PATTERN}(?![\\w-])`, "i");
const NUMBER = /^-?\d+(\.\d+)?(?![\w-])/;
const IDENT = /^[A-Za-z_$@][\w.@$]*/;
const COMPARISONS: readonly string[] = ["eq", "ne", "gt", "ge", "lt", "le"];

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let pos = 0;
  while (pos < text.length) {
    const rest = text.slice(pos);
    const space = /^\s+/.exec(rest);
    if (space) {
      pos += space[0].length;
      continue;
    }
    const char = rest.charAt(0);
    if ("(),:/".includes(char)) {
      tokens.push({ kind: "punct", text: char as "(" | ")" | "," | ":" | "/", pos });
      pos += 1;
      continue;
    }
    if (char === "'") {
      const end = findStringEnd(text, pos);
      tokens.push({ kind: "literal", value: { kind: "string", value: text.slice(pos + 1, end).replaceAll("''", "'") }, pos });
      pos = end + 1;
      continue;
    }
    const datetime = DATETIME.exec(rest)?.[0];
    const guid = GUID.exec(rest)?.[0];
    const number = NUMBER.exec(rest)?.[0];
    const ident = IDENT.exec(rest)?.[0];
    if (datetime !== undefined)
      tokens.push({ kind: "literal", value: { kind: "datetime", value: datetime, epochMs: Date.parse(datetime) }, pos });
    else if (guid !== undefined) tokens.push({ kind: "literal", value: { kind: "guid", value: guid }, pos });
    else if (number !== undefined) tokens.push({ kind: "literal", value: { kind: "number", value: Number(number) }, pos });
    else if (ident !== undefined) tokens.push(keywordOrIdent(ident, pos));
    else throw new FilterSyntaxError(`Syntax error: character '${char}' is not valid at position ${pos} in '${text}'.`);
    pos += (datetime ?? guid ?? number ?? ident ?? " ").length;
  }
  tokens.push({ kind: "end", pos });
  return tokens;
}

function findStringEnd(text: string, start: number): number {
  for (let i = start + 1; i < text.length; i++) {
    if (text[i] !== "'") continue;
    if (text[i + 1] === "'") i++;
    else return i;
  }
  throw new FilterSyntaxError(`Syntax error: there is an unterminated string literal at position ${start} in '${text}'.`);
}

function keywordOrIdent(text: string, pos: number): Token {
  if (text === "true" || text === "false") return { kind: "literal", value: { kind: "boolean", value: text === "true" }, pos };
  if (text === "null") return { kind: "literal", value: { kind: "null" }, pos };
  return { kind: "ident", text, pos };
}

export function parseFilter(text: string): FilterExpr {
  return new Parser(text, tokenize(text)).parseAll();
}

class Parser {
  private index = 0;
  constructor(
    private readonly text: string,
    private readonly tokens: readonly Token[],
  ) {}

  parseAll(): FilterExpr {
    const expr = this.parseOr();
    const next = this.peek();
    if (next.kind !== "end") this.fail(next, "expected end of expression");
    return expr;
  }

  private parseOr(): FilterExpr {
    let left = this.parseAnd();
    while (this.isIdent("or")) {
      this.index++;
      left = { kind: "or", left, right: this.parseAnd() };
    }
    return left;
  }

  private parseAnd(): FilterExpr {
    let left = this.parseUnary();
    while (this.isIdent("and")) {
      this.index++;
      left = { kind: "and", left, right: this.parseUnary() };
    }
    return left;
  }

  private parseUnary(): FilterExpr {
    if (this.isIdent("not")) {
      this.index++;
      return { kind: "not", operand: this.parseUnary() };
    }
    if (this.isPunct("(")) {
      this.index++;
      const inner = this.parseOr();
      this.expectPunct(")");
      return inner;
    }
    const head = this.peek();
    if (head.kind === "ident" && (head.text === "startsWith" || head.text === "endsWith")) return this.parseFunction(head.text);
    return this.parseComparison();
  }

  private parseFunction(name: "startsWith" | "endsWith"): FilterExpr {
    this.index++;
    this.expectPunct("(");
    const path = this.parsePath();
    this.expectPunct(",");
    const literal = this.expectLiteral();
    if (literal.kind !== "string") this.fail(this.tokens[this.index - 1] ?? this.peek(), `${name} needs a string literal`);
    this.expectPunct(")");
    let expected = true;
    if (this.isIdent("eq")) {
      this.index++;
      const bool = this.expectLiteral();
      if (bool.kind !== "boolean")
        this.fail(this.tokens[this.index - 1] ?? this.peek(), `${name}(...) can only be compared with true or false`);
      expected = bool.value;
    }
    return { kind: "function", name, path, value: literal.value, expected };
  }

  private parseComparison(): FilterExpr {
    const path = this.parsePath();
    const last = path.at(-1);
    if ((last === "any" || last === "all") && this.isPunct("(")) return this.parseLambda(path.slice(0, -1), last);
    const opToken = this.next();
    if (opToken.kind !== "ident") return this.fail(opToken, "expected a comparison operator");
    if (opToken.text === "in") {
      this.expectPunct("(");
      const values = [this.expectLiteral()];
      while (this.isPunct(",")) {
        this.index++;
        values.push(this.expectLiteral());
      }
      this.expectPunct(")");
      return { kind: "in", path, values };
    }
    if (!COMPARISONS.includes(opToken.text)) return this.fail(opToken, `unknown operator '${opToken.text}'`);
    return { kind: "compare", op: opToken.text as ComparisonOperator, path, value: this.expectLiteral() };
  }

  private parseLambda(path: readonly string[], operator: "any" | "all"): FilterExpr {
    if (operator === "all") return this.fail(this.peek(), "the 'all' lambda operator is not supported");
    this.expectPunct("(");
    const variable = this.next();
    if (variable.kind !== "ident") return this.fail(variable, "expected a lambda variable");
    this.expectPunct(":");
    const body = this.parseOr();
    this.expectPunct(")");
    return { kind: "any", path, variable: variable.text, body };
  }

  private parsePath(): string[] {
    const first = this.next();
    if (first.kind !== "ident") return this.fail(first, "expected a property name");
    const path = [first.text];
    while (this.isPunct("/")) {
      this.index++;
      const segment = this.next();
      if (segment.kind !== "ident") return this.fail(segment, "expected a property name after '/'");
      path.push(segment.text);
    }
    return path;
  }

  private expectLiteral(): Literal {
    const token = this.next();
    if (token.kind !== "literal") return this.fail(token, "expected a literal value");
    return token.value;
  }

  private expectPunct(text: string): void {
    const token = this.next();
    if (token.kind !== "punct" || token.text !== text) this.fail(token, `expected '${text}'`);
  }

  private isIdent(text: string): boolean {
    const token = this.peek();
    return token.kind === "ident" && token.text === text;
  }

  private isPunct(text: string): boolean {
    const token = this.peek();
    return token.kind === "punct" && token.text === text;
  }

  private peek(): Token {
    return this.tokens[this.index] ?? { kind: "end", pos: this.text.length };
  }

  private next(): Token {
    const token = this.peek();
    this.index++;
    return token;
  }

  private fail(token: Token, problem: string): never {
    const found = token.kind === "end" ? "end of input" : `'${this.text.slice(token.pos).split(/\s/)[0]}'`;
    throw new FilterSyntaxError(`Syntax error at position ${token.pos} in '${this.text}': ${problem}, found ${found}.`);
  }
}
