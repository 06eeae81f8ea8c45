/** Resolves after `ms` milliseconds (at once for a negative wait); the one real sleep that code injects fakes for in tests. */
export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
