import { App } from 'cdktf';
import { ConfigError, loadEnvironment, selectedEnvironmentName } from './lib/config';
import { addEnvironmentStacks } from './lib/app/build-app';
import { guardReport } from './lib/guards';

// Validate first: a bad environment prints every problem and writes nothing.
let env;
try {
  env = loadEnvironment(selectedEnvironmentName());
} catch (err) {
  if (!(err instanceof ConfigError)) throw err;
  for (const problem of err.problems) console.error(`error: ${problem}`);
  process.exit(1);
}

const app = new App();
let report;
try {
  const { guards } = addEnvironmentStacks(app, env);
  // Budget and async-retrieval guards run before synthesis, so a failing plan prints one line per
  // problem (no stack trace) and writes no stack; synthesis runs them again as validations.
  report = guardReport(guards);
} catch (err) {
  // Constructs may also refuse configuration (ConfigError): same clean output.
  if (!(err instanceof ConfigError)) throw err;
  for (const problem of err.problems) console.error(`error: ${problem}`);
  process.exit(1);
}
for (const warning of report.warnings) console.error(`warning: ${warning}`);
if (report.errors.length) {
  for (const error of report.errors) console.error(`error: ${error}`);
  console.error(
    `error: ${env.name}: ${report.errors.length} guard error(s); nothing was synthesized (see "Rate-limit budget" in README.md)`,
  );
  process.exit(1);
}
app.synth();
