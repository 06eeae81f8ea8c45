import { App } from 'cdktf';
import { ConfigError, loadEnvironment, selectedEnvironmentName } from './lib/config';
import { addEnvironmentStacks } from './lib/app/build-app';

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
addEnvironmentStacks(app, env);
app.synth();
