import { App } from 'cdktf';
import { ConfigError, loadCiIdentities, loadEnvironment, selectedEnvironmentName } from './lib/config';
import { CONFIG_EXIT_CODE, printConfigError, synthesizeCiIdentities, synthesizeEnvironment } from './app/synth-check';

// The cdktf app (`cdktf synth`, `cdktf deploy`; cdktf.json runs it through scripts/run-ts.mjs).
// `npm run synth` runs the same steps in its own process (bin/synth.ts), without the cdktf CLI.
// Validate first: a bad environment prints every problem and writes nothing.
// LOADLAB_CI=<file in ci-identities/> builds the account's CI identities (loadlab-ci) instead.
try {
  const ci = process.env.LOADLAB_CI;
  process.exitCode = ci
    ? synthesizeCiIdentities(loadCiIdentities(ci).config, new App())
    : synthesizeEnvironment(loadEnvironment(selectedEnvironmentName()), new App());
} catch (err) {
  if (!(err instanceof ConfigError)) throw err;
  printConfigError(err);
  process.exitCode = CONFIG_EXIT_CODE;
}
