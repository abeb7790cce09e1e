/**
 * `npm run migration:generate -- <PascalName>`: writes the migration that brings the schema of the
 * migrations up to the entities. `--check` prints the difference and exits 1 if there is any
 * (CI: entities and migrations never drift). Uses DATABASE_URL if set, else a throwaway embedded Postgres.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { dataSourceOptions, ensureDatabase, freePort, runMigrations, startEmbeddedPostgres } from '@kefu/shared';

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const check = args.includes('--check');
  const name = args.find((a) => !a.startsWith('--'));
  if (!check && (!name || !/^[A-Z][A-Za-z0-9]+$/.test(name))) {
    process.stderr.write('usage: npm run migration:generate -- <PascalName>   (or --check)\n');
    return 2;
  }
  let url = process.env.MIGRATION_DATABASE_URL;
  let cleanup: () => Promise<void> = () => Promise.resolve();
  if (!url) {
    const root = mkdtempSync(join(tmpdir(), 'kefu-migrate-'));
    const pg = await startEmbeddedPostgres({
      dataDir: join(root, 'pg'),
      port: await freePort(),
      password: 'migrate',
      ephemeral: true,
    });
    await ensureDatabase(pg.url(), 'kefu');
    url = pg.url('kefu');
    cleanup = async () => {
      await pg.stop();
      rmSync(root, { recursive: true, force: true });
    };
  }
  try {
    await runMigrations(url);
    const ds = new DataSource(dataSourceOptions(url, { poolSize: 1 }));
    await ds.initialize();
    const sql = await ds.driver.createSchemaBuilder().log();
    await ds.destroy();
    if (check) {
      if (sql.upQueries.length === 0) {
        process.stdout.write('Entities and migrations agree.\n');
        return 0;
      }
      process.stderr.write(
        `Entities and migrations drift; a migration would run:\n${sql.upQueries.map((q) => `  ${q.query};`).join('\n')}\nRun: npm run migration:generate -- <Name>\n`,
      );
      return 1;
    }
    if (sql.upQueries.length === 0) {
      process.stdout.write('No changes: nothing to generate.\n');
      return 0;
    }
    const ts = Date.now();
    const q = (s: string) => '`' + s.replace(/\\/g, '\\\\').replace(/`/g, '\\`').replace(/\$\{/g, '\\${') + '`';
    const up = sql.upQueries
      .map(
        (x) =>
          `    await queryRunner.query(${q(x.query)}${x.parameters?.length ? `, ${JSON.stringify(x.parameters)}` : ''});`,
      )
      .join('\n');
    const down = sql.downQueries
      .reverse()
      .map(
        (x) =>
          `    await queryRunner.query(${q(x.query)}${x.parameters?.length ? `, ${JSON.stringify(x.parameters)}` : ''});`,
      )
      .join('\n');
    const file = join('libs/shared/src/database/migrations', `${ts}-${name}.ts`);
    writeFileSync(
      file,
      `import type { MigrationInterface, QueryRunner } from 'typeorm';

export class ${name}${ts} implements MigrationInterface {
  name = '${name}${ts}';

  public async up(queryRunner: QueryRunner): Promise<void> {
${up}
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
${down}
  }
}
`,
    );
    process.stdout.write(`Wrote ${file}; add ${name}${ts} to migrations/index.ts.\n`);
    return 0;
  } finally {
    await cleanup();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
