import { Client } from 'pg';
import type { DataSourceOptions } from 'typeorm';
import { entities } from './entities';
import { migrations } from './migrations';
import { SnakeNamingStrategy } from './snake-naming.strategy';

/**
 * The pool's clients. When Postgres goes away, a client checked out at that moment can emit 'error' a
 * second time after TypeORM's query runner has handed it back and dropped its listener; with no listener
 * left, Node turns that into an uncaught exception and the app dies instead of answering 503. Queries
 * still get their errors through their own callbacks and the pool still evicts broken idle clients; this
 * listener only keeps a stray emission from crashing the process.
 */
class PoolClient extends Client {
  constructor(config?: ConstructorParameters<typeof Client>[0]) {
    super(config);
    this.on('error', () => undefined);
  }
}

/** The one set of TypeORM options: apps, CLI, migrations and tests. Never `synchronize`. */
export function dataSourceOptions(
  url: string,
  extra: { poolSize?: number; applicationName?: string; readOnly?: boolean } = {},
): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    entities,
    migrations,
    migrationsTableName: 'migrations',
    migrationsTransactionMode: 'each',
    synchronize: false,
    // gen_random_uuid() is built into Postgres 13+: no extension to install.
    uuidExtension: 'pgcrypto',
    installExtensions: false,
    migrationsRun: false,
    namingStrategy: new SnakeNamingStrategy(),
    poolSize: extra.poolSize ?? 10,
    applicationName: extra.applicationName ?? 'kefu',
    // Fail fast when Postgres is down, so HTTP answers 503 instead of hanging.
    connectTimeoutMS: 5000,
    extra: {
      Client: PoolClient,
      connectionTimeoutMillis: 5000,
      statement_timeout: 30_000,
      idle_in_transaction_session_timeout: 60_000,
      // A read-only session (DATABASE_READ_URL): Postgres refuses any write in it, whatever the role may do.
      ...(extra.readOnly ? { options: '-c default_transaction_read_only=on' } : {}),
    },
  };
}
