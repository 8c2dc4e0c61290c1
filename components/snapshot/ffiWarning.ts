import { builtinModules } from "node:module";

const FFI = "node:ffi";

/**
 * Pulumi's closure serializer, which turns the Snapshot provider into the text the engine stores,
 * loads every Node built-in module once to recognise captured references to them (@pulumi/pulumi
 * `runtime/closure/createClosure.js`, `computeBuiltInModules`). From Node 26.1 the built-ins include
 * the experimental `node:ffi`, whose first load prints "ExperimentalWarning: FFI is an experimental
 * feature" in every `pulumi preview` and `up`, although nothing in this project calls native code.
 * Loading it here first, holding back only that one warning, leaves the serializer's load silent;
 * every other warning, and any later one about FFI use, still prints.
 *
 * Returns whether this call loaded the module (false on Node lines without it, or when it was
 * already loaded).
 */
export function loadFfiWithoutItsWarning(): boolean {
  if (!builtinModules.includes(FFI) || ffiLoaded) {
    return false;
  }
  // The process object Node's own modules warn through, which a test sandbox's `process` may only
  // mirror.
  const host = process.getBuiltinModule("node:process");
  const emitWarning = host.emitWarning;
  host.emitWarning = function (this: NodeJS.Process, ...args: unknown[]): void {
    const [warning, typeOrOptions] = args;
    if (isFfiExperimentalWarning(warning, typeOrOptions)) {
      return;
    }
    (emitWarning as (...a: unknown[]) => void).apply(host, args);
  } as NodeJS.Process["emitWarning"];
  try {
    process.getBuiltinModule(FFI);
  } finally {
    host.emitWarning = emitWarning;
  }
  ffiLoaded = true;
  return true;
}

let ffiLoaded = false;

function isFfiExperimentalWarning(warning: unknown, typeOrOptions: unknown): boolean {
  const type =
    typeof typeOrOptions === "string"
      ? typeOrOptions
      : typeof typeOrOptions === "object" && typeOrOptions !== null && "type" in typeOrOptions
        ? (typeOrOptions as { type?: unknown }).type
        : warning instanceof Error
          ? warning.name
          : undefined;
  const message = warning instanceof Error ? warning.message : String(warning);
  return type === "ExperimentalWarning" && message.startsWith("FFI ");
}
