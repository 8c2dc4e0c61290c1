/**
 * The default providers the engine registers for resources that name no provider (pulumi/pulumi
 * pkg/resource/deploy/default_providers.go, providers/provider.go `DefaultName`,
 * target.go `GetPackageConfig`). Under mocks none exist; the engine registers one per package (and
 * version) before the first resource that needs it, analyzes it like any resource, and hands it to
 * every policy as that resource's `provider`.
 *
 * - Type `pulumi:providers:<package>`, no parent, name `default`, or `default_<major>_<minor>_<patch>`
 *   (then `_<pre>`, `_<build>` parts, `_<download URL>`) when a version is known: the one the SDK sent
 *   with the resource, else the installed `@pulumi/<package>`'s (as the language host reports it).
 * - Inputs: the stack's config of that package by bare key (`aws:region` → `region`), every value a
 *   string (objects as JSON), plus `version`; a dynamic provider (`pulumi-nodejs`) gets all config
 *   by full key. Secure values are not known here (only the CLI decrypts them).
 */
import { readFileSync } from "node:fs";

/** `aws:s3/bucket:Bucket` → `aws`. */
export function packageOf(type: string): string {
  return type.split(":")[0];
}

/** The default provider's name for `version` and `pluginDownloadURL` (`DefaultName`). */
export function defaultProviderName(version?: string, pluginDownloadURL?: string): string {
  let name = "default";
  const match = version ? /^v?(\d+)\.(\d+)\.(\d+)(?:-([^+]*))?(?:\+(.*))?$/.exec(version) : null;
  if (match) {
    const [, major, minor, patch, pre, build] = match;
    name += `_${major}_${minor}_${patch}`;
    for (const part of [...(pre?.split(".") ?? []), ...(build?.split(".") ?? [])]) {
      name += `_${part}`;
    }
  }
  if (pluginDownloadURL) {
    name += `_${pluginDownloadURL.replace(/[^A-Za-z0-9_.]/g, "_")}`;
  }
  return name;
}

/** A package's dynamic providers receive the whole stack config (`isDynamicProvider`). */
const DYNAMIC = "pulumi-nodejs";

/** A config value as the engine reads it: a string; an object or list as JSON, its keys sorted. */
function configString(value: unknown): string {
  if (typeof value === "string") {
    return value;
  }
  const sorted = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(sorted)
      : typeof v === "object" && v !== null
        ? Object.fromEntries(
            Object.keys(v)
              .sort()
              .map((k) => [k, sorted((v as Record<string, unknown>)[k])]),
          )
        : v;
  return JSON.stringify(sorted(value));
}

/** The inputs of `pkg`'s default provider: its stack config (`GetPackageConfig`) and version. */
export function providerInputs(
  pkg: string,
  config: Record<string, unknown>,
  version?: string,
  pluginDownloadURL?: string,
): Record<string, string> {
  const inputs: Record<string, string> = {};
  for (const [key, value] of Object.entries(config)) {
    if (pkg === DYNAMIC) {
      inputs[key] = configString(value);
    } else if (key.startsWith(`${pkg}:`)) {
      inputs[key.slice(pkg.length + 1)] = configString(value);
    }
  }
  return {
    ...inputs,
    ...(version ? { version } : {}),
    ...(pluginDownloadURL ? { pluginDownloadURL } : {}),
  };
}

/**
 * The version the language host reports for `pkg`: the installed `@pulumi/<pkg>`'s, when that
 * package declares itself a resource plugin (`"pulumi": {"resource": true}`), resolved from `root`.
 */
export function installedPluginVersion(pkg: string, root: string): string | undefined {
  try {
    const path = require.resolve(`@pulumi/${pkg}/package.json`, { paths: [root] });
    const manifest = JSON.parse(readFileSync(path, "utf8")) as {
      version?: string;
      pulumi?: { resource?: boolean; version?: string };
    };
    return manifest.pulumi?.resource ? (manifest.pulumi.version ?? manifest.version) : undefined;
  } catch {
    return undefined;
  }
}

/** What the engine needs of a registration to decide on its default provider. */
export interface ProviderNeed {
  type: string;
  custom: boolean;
  /** The provider reference the program gave, `""` for none. */
  providerRef: string;
  /** The version and download URL the SDK sent with the resource. */
  version: string;
  pluginDownloadURL: string;
}

/** A default provider resource the engine would register. */
export interface DefaultProvider {
  type: string;
  name: string;
  urn: string;
  /** Its id: the engine's is a UUID, never shown to a pack. */
  id: string;
  inputs: Record<string, string>;
}

/** `<urn>::<id>`, as a resource's `provider` field references its provider. */
export function providerRef(provider: Pick<DefaultProvider, "urn" | "id">): string {
  return `${provider.urn}::${provider.id}`;
}

/** The default provider `need` gets, or `undefined` when it names one or needs none. */
export function defaultProviderFor(
  need: ProviderNeed,
  target: {
    project: string;
    stack: string;
    config: Record<string, unknown>;
    installedVersion: (pkg: string) => string | undefined;
  },
): DefaultProvider | undefined {
  if (!need.custom || need.providerRef !== "" || need.type.startsWith("pulumi:providers:")) {
    return undefined;
  }
  const pkg = packageOf(need.type);
  const version = need.version || target.installedVersion(pkg);
  const type = `pulumi:providers:${pkg}`;
  const name = defaultProviderName(version, need.pluginDownloadURL || undefined);
  const urn = `urn:pulumi:${target.stack}::${target.project}::${type}::${name}`;
  return {
    type,
    name,
    urn,
    id: `${name}-id`,
    inputs: providerInputs(pkg, target.config, version, need.pluginDownloadURL || undefined),
  };
}
