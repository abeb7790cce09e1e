import { rmSync } from 'node:fs';
import type { HarnessState } from './harness-state';

export default async function globalTeardown(): Promise<void> {
  const harness = (globalThis as Record<string, unknown>).__kefuHarness as { state: HarnessState; stop: () => Promise<unknown> } | undefined;
  if (!harness) return;
  await harness.stop();
  rmSync(harness.state.root, { recursive: true, force: true });
}
