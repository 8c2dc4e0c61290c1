/**
 * Whether the stack stores a config key encrypted. The Pulumi language host tells the program which
 * keys are secrets (PULUMI_CONFIG_SECRET_KEYS); the SDK's own reader of that list is internal, so it
 * is looked up defensively: `undefined` means "cannot tell", never "plaintext".
 */
export function isStoredAsSecret(fullKey: string): boolean | undefined {
  const runtimeConfig = require("@pulumi/pulumi/runtime/config") as {
    isConfigSecret?: (key: string) => boolean;
  };
  return typeof runtimeConfig.isConfigSecret === "function"
    ? runtimeConfig.isConfigSecret(fullKey)
    : undefined;
}
