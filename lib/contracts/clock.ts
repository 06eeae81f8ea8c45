/**
 * How code waits: everything that sleeps takes a `Sleep` (tests inject fakes that advance a fake
 * clock); `sleep` is the one real wait they default to.
 */
export type Sleep = (ms: number) => Promise<void>;

/** Resolves after `ms` milliseconds (at once for a negative wait). */
export const sleep: Sleep = (ms) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
