/**
 * The shape of a TypeScript interface as the compiler sees it, as plain data: its fields, which are
 * optional, and each field's kind (nested interfaces described the same way). Lets a test compare
 * a hand-written description, such as a package schema's object types, with the code's type, so
 * that a field added to one and not the other fails the test.
 */
import * as ts from "typescript";

export type Kind =
  | { kind: "string" | "number" | "boolean" | "any" }
  | { kind: "enum"; values: string[] }
  | { kind: "array"; items: Kind }
  | { kind: "object"; shape: Shape }
  | { kind: "oneOf"; members: Kind[] };

export interface Field {
  optional: boolean;
  type: Kind;
}

export type Shape = Record<string, Field>;

/** The shape of the interface `name` declared at the top level of `file`. */
export function interfaceShape(file: string, name: string): Shape {
  const program = ts.createProgram([file], { strict: true, noEmit: true, skipLibCheck: true });
  const checker = program.getTypeChecker();
  const declaration = program
    .getSourceFile(file)
    ?.statements.find(
      (s): s is ts.InterfaceDeclaration => ts.isInterfaceDeclaration(s) && s.name.text === name,
    );
  if (declaration === undefined) {
    throw new Error(`${file} declares no interface ${name}.`);
  }
  return shapeOf(checker, checker.getTypeAtLocation(declaration));
}

function shapeOf(checker: ts.TypeChecker, type: ts.Type): Shape {
  return Object.fromEntries(
    checker.getPropertiesOfType(type).map((symbol) => [
      symbol.name,
      {
        optional: (symbol.flags & ts.SymbolFlags.Optional) !== 0,
        type: kindOf(checker, checker.getNonNullableType(checker.getTypeOfSymbol(symbol))),
      },
    ]),
  );
}

const PRIMITIVE = ts.TypeFlags.String | ts.TypeFlags.Number | ts.TypeFlags.BooleanLiteral;

function kindOf(checker: ts.TypeChecker, type: ts.Type): Kind {
  if (checker.isArrayType(type)) {
    return {
      kind: "array",
      items: kindOf(checker, checker.getTypeArguments(type as ts.TypeReference)[0]),
    };
  }
  if (type.isUnion()) {
    const members = type.types;
    if (members.every((m) => m.isStringLiteral())) {
      return { kind: "enum", values: members.map((m) => (m as ts.StringLiteralType).value) };
    }
    if (members.every((m) => m.flags & ts.TypeFlags.BooleanLiteral)) {
      return { kind: "boolean" };
    }
    // Several primitive kinds in one value (a string, number or boolean): any JSON scalar.
    if (members.every((m) => m.flags & (PRIMITIVE | ts.TypeFlags.Null))) {
      return { kind: "any" };
    }
    return { kind: "oneOf", members: members.map((m) => kindOf(checker, m)) };
  }
  if (type.flags & ts.TypeFlags.String) {
    return { kind: "string" };
  }
  if (type.flags & ts.TypeFlags.Number) {
    return { kind: "number" };
  }
  if (type.flags & ts.TypeFlags.Boolean) {
    return { kind: "boolean" };
  }
  if (type.isStringLiteral()) {
    return { kind: "enum", values: [type.value] };
  }
  return { kind: "object", shape: shapeOf(checker, type) };
}
