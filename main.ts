import { App } from 'cdktf';
import { ConfigError, loadEnvironment, selectedEnvironmentName } from './lib/config';
import { CONFIG_EXIT_CODE, printConfigError, synthesizeEnvironment } from './app/synth-check';

// The cdktf app (`cdktf synth`, `cdktf deploy`; cdktf.json runs it through scripts/run-ts.mjs).
// `npm run synth` runs the same steps in its own process (bin/synth.ts), without the cdktf CLI.
// Validate first: a bad environment prints every problem and writes nothing.
let env;
try {
  env = loadEnvironment(selectedEnvironmentName());
} catch (err) {
  if (!(err instanceof ConfigError)) throw err;
  printConfigError(err);
  process.exit(CONFIG_EXIT_CODE);
}
process.exitCode = synthesizeEnvironment(env, new App());
