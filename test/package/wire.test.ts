/**
 * provider/src/wire.ts: values as the generic provider server hands them over (secrets wrapped,
 * unknowns as the sentinel), and errors scrubbed of secrets before the server prints or sends them.
 */
import { specialSecretSig, specialSigKey } from "@pulumi/pulumi/runtime/rpc";
import {
  UNKNOWN,
  holdsUnknown,
  redacted,
  reveal,
  secretProperties,
  secretStrings,
  wrapSecrets,
} from "../../provider/src/wire";

const wrap = (value: unknown) => ({ [specialSigKey]: specialSecretSig, value });

describe("wire values", () => {
  const props = {
    apiKey: wrap("CG-key"),
    tags: { team: wrap("data"), owner: wrap("platform-team") },
    params: { ids: [UNKNOWN] },
    key: "coingecko/x.json",
  };

  it("reveals secrets at any depth", () => {
    expect(reveal(props)).toEqual({
      apiKey: "CG-key",
      tags: { team: "data", owner: "platform-team" },
      params: { ids: [UNKNOWN] },
      key: "coingecko/x.json",
    });
  });

  it("names the top-level properties that hold a secret, and wraps them again once", () => {
    const secret = secretProperties(props);
    expect([...secret].sort()).toEqual(["apiKey", "tags"]);
    expect(wrapSecrets({ apiKey: "CG-key", key: "k", tags: wrap({}) }, secret)).toEqual({
      apiKey: wrap("CG-key"),
      key: "k",
      tags: wrap({}),
    });
  });

  it("finds an unknown at any depth", () => {
    expect(holdsUnknown(props.params)).toBe(true);
    expect(holdsUnknown(wrap(UNKNOWN))).toBe(true);
    expect(holdsUnknown(props.key)).toBe(false);
  });

  it("scrubs the always-secret key whatever its length, other secrets from 8 characters", () => {
    expect(secretStrings(props, ["apiKey"])).toEqual(["platform-team", "CG-key"]);
  });

  it("scrubs those strings from an error's message and stack", () => {
    const error = new Error("GET failed with key CG-key for platform-team's data");
    const scrubbed = redacted(error, secretStrings(props, ["apiKey"]));
    expect(scrubbed.message).toBe("GET failed with key [secret] for [secret]'s data");
    expect(scrubbed.stack).not.toContain("CG-key");
    expect(redacted("thrown CG-key", ["CG-key"]).message).toBe("thrown [secret]");
  });
});
