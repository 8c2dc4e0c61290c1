import { PolicyPack } from "@pulumi/policy";
import { s3Policies } from "./s3";

// Each policy carries its default enforcement level; `--policy-pack-config` or the organisation's
// policy group overrides it per stack (see docs/policy.md).
new PolicyPack("api-s3-load-guard", {
  description: "Keeps api-s3-load's S3 buckets, objects and snapshots private.",
  policies: s3Policies,
});
