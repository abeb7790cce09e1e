export default async function globalTeardown(): Promise<void> {
  const harness = (globalThis as Record<string, unknown>).__kefuHarness as { stop: () => Promise<unknown> } | undefined;
  await harness?.stop();
}
