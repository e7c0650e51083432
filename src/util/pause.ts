/** Resolves after `ms` milliseconds: a wait between polls or readings. */
export function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
