/**
 * npm run bench:scheduler — issue 4's figures in one run, each beside a raw SQL baseline measured in the
 * same run: the daily warranty scan over 1,000,000 units (BENCH_UNITS; handover dates over ten years,
 * the full default catalogue) with its peak memory, and one reminder scan over 100,000 open cases
 * (BENCH_REMINDER_CASES). Each part gets its own throwaway Postgres and Redis.
 */
import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { benchServices } from './bench-env';
import { runReminderScanBench } from './scheduler-reminders';
import { formatWarrantyBench, runWarrantyScanBench } from './scheduler-warranty';

async function main(): Promise<void> {
  Logger.overrideLogger(false);
  process.stdout.write(`kefu bench:scheduler — ${new Date().toISOString()}\n`);
  const services = await benchServices();
  try {
    const report = await runWarrantyScanBench({
      databaseUrl: services.databaseUrl,
      units: Number(process.env.BENCH_UNITS ?? 1_000_000),
      smallUnits: Number(process.env.BENCH_SMALL_UNITS ?? 100_000),
      log: (s) => process.stderr.write(`${s}\n`),
    });
    process.stdout.write(
      `${formatWarrantyBench(report)}\n  aim: under 5 s and 300 MB RSS at 1M units, cost growing with the notices due\n\n`,
    );
  } finally {
    await services.stop();
  }
  const r = await runReminderScanBench({
    cases: Number(process.env.BENCH_REMINDER_CASES ?? 100_000),
    duePermille: Number(process.env.BENCH_REMINDER_DUE_PERMILLE ?? 10),
  });
  process.stdout.write(
    `${r.label}\n  ours      ${String(r.ours.ms).padStart(7)} ms   peak RSS ${r.ours.rssMb} MB   (${r.ours.sent} sent)\n  raw SQL   ${String(r.baseline.ms).padStart(7)} ms   (${r.baseline.sent} sent)\n  ratio     ${r.ratio}× the raw time\n`,
  );
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
