/** Removes the run's scratch folder (see global-setup.ts) with whatever the tests left in it. */
import { rmSync } from 'node:fs';
import { RUN_TMP_VAR } from './global-setup';

export default function globalTeardown(): void {
  const dir = process.env[RUN_TMP_VAR];
  if (dir) rmSync(dir, { recursive: true, force: true });
}
