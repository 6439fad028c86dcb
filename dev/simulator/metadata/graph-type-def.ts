/** Shape of one CSDL type as the generator writes it (names without the microsoft.graph. prefix). */
export interface GraphTypeDef {
  readonly kind: "entity" | "complex" | "enum";
  readonly base?: string;
  /** OData open type: Graph accepts extension properties (extension_<appId>_<name>). */
  readonly open?: boolean;
  readonly abstract?: boolean;
  /** Flags enum: a value may list several members separated by commas. */
  readonly flags?: boolean;
  /** Enum member names. */
  readonly members?: readonly string[];
  /** Structural properties declared on this type (not inherited): name → "Edm.X" | "type" | "Collection(...)". */
  readonly props?: Readonly<Record<string, string>>;
  readonly nonNullable?: readonly string[];
  /** Navigation properties: never stored inline by Graph, but may appear expanded. */
  readonly nav?: readonly string[];
}
