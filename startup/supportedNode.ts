// Imported first by every entry point (index.ts, cli/main.ts, policy-runner/main.ts): an
// unsupported Node stops here with one sentence, before the AWS SDK or Pulumi load and warn.
import { refuseUnsupportedNode } from "./nodeVersion";

refuseUnsupportedNode();
