/**
 * The plugin's entry point (package.json `main`), required by `@pulumi/pulumi/cmd/run-plugin`: it
 * serves the provider on a free port of 127.0.0.1 and prints the port, as the engine expects.
 */
import { main } from "@pulumi/pulumi/provider";
import { ApiS3LoadProvider } from "./provider";

void main(new ApiS3LoadProvider(), process.argv.slice(2));
