/**
 * How every `bin/` command ends: its exit code, ConfigError problems as `error: …` lines, a
 * UsageError with the usage text, and anything unexpected as one `error:` line without a stack
 * trace (set DEBUG=1 to see it).
 */
import { ConfigError } from '../config/errors';
import { UsageError } from './args';

export interface CliOptions {
  /** Printed after a UsageError. */
  readonly usage: string;
  /** Exit code of a UsageError. Default 2. */
  readonly usageErrorCode?: number;
  /** Exit code of a ConfigError. Default 2. */
  readonly configErrorCode?: number;
  /** Errors the command expects, each printed as `error: <message>` with its exit code. */
  readonly expected?: ReadonlyArray<readonly [abstract new (...args: never[]) => Error, number]>;
  /** End the process as soon as the command settles (open servers or sockets would keep it alive). */
  readonly exitWhenDone?: boolean;
}

export interface CliIo {
  readonly error: (line: string) => void;
  readonly env: NodeJS.ProcessEnv;
}

/** `main`'s exit code; undefined when it returns none (a server that keeps running). */
export type CliMain = () => number | void | Promise<number | void>;

/** Runs `main` and turns what it throws into lines on `io.error` and an exit code. */
export async function runMain(main: CliMain, options: CliOptions, io: CliIo): Promise<number | undefined> {
  try {
    return (await main()) ?? undefined;
  } catch (err) {
    if (err instanceof UsageError) {
      io.error(`error: ${err.message}\n${options.usage}`);
      return options.usageErrorCode ?? 2;
    }
    if (err instanceof ConfigError) {
      for (const problem of err.problems) io.error(`error: ${problem}`);
      return options.configErrorCode ?? 2;
    }
    const expected = options.expected?.find(([type]) => err instanceof type);
    const message = err instanceof Error ? err.message : String(err);
    io.error(`error: ${message}`);
    if (!expected && io.env.DEBUG === '1' && err instanceof Error && err.stack) io.error(err.stack);
    return expected ? expected[1] : 1;
  }
}

/** Entry point of a `bin/` command: runs `main` and sets the process's exit code. */
export function runCli(main: CliMain, options: CliOptions): Promise<void> {
  // The AWS SDK warns on every run under Node < 22 that its releases after January 2027 will need
  // Node 22. Our tooling still supports Node 20 with the SDK version package.json pins (tested on
  // Node 20 and 24 in .ci/run), and the deployed Lambdas run Node 24, so the warning is noise here.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  // `npm run budget | head` closes the pipe early: stop quietly, as other Unix tools do, not with an EPIPE stack.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
    process.exit(process.exitCode ?? 0);
  });
  return runMain(main, options, { error: (line) => console.error(line), env: process.env }).then((code) => {
    if (code !== undefined) process.exitCode = code;
    if (options.exitWhenDone && code !== undefined) process.exit(code);
  });
}
