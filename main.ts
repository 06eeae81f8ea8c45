import { App } from 'cdktf';
import { ConfigError, loadEnvironment, selectedEnvironmentName } from './lib/config';
import { checkGuards, GUARD_EXIT_CODE, guardErrorLines } from './lib/app/synth-check';

// The cdktf app (`cdktf synth`, `cdktf deploy`). `npm run synth` runs the same checks first
// (bin/synth.ts), so there a bad environment prints once instead of inside cdktf's error report.
// Validate first: a bad environment prints every problem and writes nothing.
let env;
try {
  env = loadEnvironment(selectedEnvironmentName());
} catch (err) {
  if (!(err instanceof ConfigError)) throw err;
  for (const problem of err.problems) console.error(`error: ${problem}`);
  process.exit(2);
}

const app = new App();
let report;
try {
  // Budget and async-retrieval guards run before synthesis, so a failing plan prints one line per
  // problem (no stack trace) and writes no stack; synthesis runs them again as validations.
  report = checkGuards(env, app);
} catch (err) {
  // Constructs may also refuse configuration (ConfigError): same clean output.
  if (!(err instanceof ConfigError)) throw err;
  for (const problem of err.problems) console.error(`error: ${problem}`);
  process.exit(2);
}
// bin/synth.ts has printed the warnings already.
if (process.env.LOADLAB_SYNTH_CHECKED !== '1') for (const warning of report.warnings) console.error(`warning: ${warning}`);
if (report.errors.length) {
  for (const line of guardErrorLines(env, report)) console.error(line);
  process.exit(GUARD_EXIT_CODE);
}
app.synth();
