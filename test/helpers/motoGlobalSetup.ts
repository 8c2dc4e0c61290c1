/**
 * Jest global setup: says once per `npm test` run whether the moto suites (test/moto/) run, and
 * why not when they are skipped. Skipped suites are counted as skipped by jest, never as passed;
 * .ci/run fails outright when moto is missing.
 */
import { MOTO_VERSION, motoAvailability } from "./motoAvailability";

export default function motoGlobalSetup(): void {
  const moto = motoAvailability();
  if (!moto.available) {
    process.stdout.write(
      `\nmoto: skipping the suites in test/moto/ (they count as skipped, not passed): ${moto.reason}.\n`,
    );
  } else if (moto.version !== MOTO_VERSION) {
    process.stdout.write(
      `\nmoto: running test/moto/ against moto ${moto.version}; the project is proven against ${MOTO_VERSION}.\n`,
    );
  }
}
