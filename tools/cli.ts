/**
 * kefu CLI (run from dist after `npm run build`, or through the npm scripts):
 *   migrate                      apply pending migrations (under an advisory lock); with APP_DATABASE_URL, then
 *                                create or update the apps' least-privilege role it names and grant it row access
 *   migrate:revert               revert the latest migration
 *   create-admin --login L --name N [--password-stdin]   create the first admin; prints a generated password, or
 *                                takes one line from standard input (never a password on the command line: `ps`
 *                                shows every process's arguments to every user)
 *   seed-demo [--password-stdin] load the demo estate and its six months of history once
 * Reads DATABASE_URL.
 */
import { DataSource } from 'typeorm';
import {
  dataSourceOptions,
  generatePassword,
  hashPassword,
  loadDatabaseUrl,
  grantAppRole,
  runMigrations,
  StaffEntity,
} from '@kefu/shared';

/** The password from standard input (its first line), for --password-stdin; else undefined. */
async function passwordFrom(args: string[]): Promise<string | undefined> {
  if (!args.includes('--password-stdin')) return undefined;
  let input = '';
  for await (const chunk of process.stdin) input += String(chunk);
  return input.split(/\r?\n/)[0] ?? '';
}

const NO_PASSWORD_ARGUMENT =
  'a password on the command line is visible to every user (ps): give it on standard input with --password-stdin, e.g. `printf %s "$PW" | cli create-admin --login admin --password-stdin`, or let one be generated\n';

function flag(args: string[], name: string): string | undefined {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
}

async function withDataSource<T>(fn: (ds: DataSource) => Promise<T>): Promise<T> {
  const ds = new DataSource(dataSourceOptions(loadDatabaseUrl(), { poolSize: 2, applicationName: 'kefu-cli' }));
  await ds.initialize();
  try {
    return await fn(ds);
  } finally {
    await ds.destroy();
  }
}

async function main(argv: string[]): Promise<number> {
  const [command, ...args] = argv;
  switch (command) {
    case 'migrate': {
      const url = loadDatabaseUrl();
      const applied = await runMigrations(url);
      process.stdout.write(applied.length ? `Applied: ${applied.join(', ')}\n` : 'Database is up to date.\n');
      // The apps' least-privilege role, created or updated and granted after every migration (new tables included).
      if (process.env.APP_DATABASE_URL) {
        const { role } = await grantAppRole(url, process.env.APP_DATABASE_URL);
        process.stdout.write(`The apps' role ${role} may read and write rows, and nothing more.\n`);
      }
      return 0;
    }
    case 'migrate:revert':
      return withDataSource(async (ds) => {
        await ds.undoLastMigration({ transaction: 'each' });
        process.stdout.write('Reverted the latest migration.\n');
        return 0;
      });
    case 'create-admin': {
      const login = flag(args, 'login')?.toLowerCase();
      const name = flag(args, 'name') ?? '系统管理员';
      if (!login || !/^[a-z0-9._-]{2,60}$/.test(login)) {
        process.stderr.write('usage: create-admin --login <login> [--name <name>] [--password-stdin]\n');
        return 2;
      }
      if (args.includes('--password')) {
        process.stderr.write(NO_PASSWORD_ARGUMENT);
        return 2;
      }
      const given = await passwordFrom(args);
      if (given !== undefined && given.length < 10) {
        process.stderr.write('the password must be at least 10 characters\n');
        return 2;
      }
      const password = given ?? generatePassword();
      return withDataSource(async (ds) => {
        const repo = ds.getRepository(StaffEntity);
        if (await repo.existsBy({ login })) {
          process.stderr.write(`A staff member with login "${login}" already exists; nothing changed.\n`);
          return 1;
        }
        await repo.save(
          repo.create({ login, name, role: 'admin', passwordHash: await hashPassword(password), active: true }),
        );
        process.stdout.write(`Created admin "${login}".${given ? '' : ` Password (shown once): ${password}`}\n`);
        return 0;
      });
    }
    case 'seed-demo': {
      if (args.includes('--password')) {
        process.stderr.write(NO_PASSWORD_ARGUMENT);
        return 2;
      }
      const given = await passwordFrom(args);
      return withDataSource(async (ds) => {
        const password = given || generatePassword();
        // Loaded only here: the demo pulls in the apps' SQL, classifier and templates, which the other commands do not need.
        const { loadDemoData } = await import('./demo-data');
        const summary = await loadDemoData(ds, password);
        process.stdout.write(
          summary.created
            ? `Demo estate loaded: ${summary.units} units, ${summary.owners} owners, ${summary.cases} cases over six months; staff password: ${password}\n`
            : 'Demo estate already present; nothing changed.\n',
        );
        return 0;
      });
    }
    case undefined:
    default:
      process.stderr.write('usage: cli <migrate | migrate:revert | create-admin | seed-demo> [options]\n');
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`kefu: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
