import { BullModule, getQueueToken } from '@nestjs/bullmq';
import { Global, Inject, Injectable, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import type { JobsOptions, Queue } from 'bullmq';
import { Cluster, type RedisOptions } from 'ioredis';
import { APP_CONFIG, type AppConfig } from '../config';
import { queueConnection, queuePrefix, redisTopology, redisUrlOptions } from '../redis/redis-topology';
import { withTimeout } from '../util/with-timeout';
import { defaultJobOptions, jobQueue, Queues, type JobName, type JobPayloads } from './queue.contract';

/** Parses redis://[:password@]host:port[/db] into BullMQ connection options (one server). */
export function redisConnection(url: string) {
  return { ...redisUrlOptions(url), maxRetriesPerRequest: null };
}

/** How long an add may wait for Redis before it fails (the caller retries, or the outbox keeps the job). */
export const ENQUEUE_TIMEOUT_MS = 5_000;

/** The only way to put a job on a queue: typed by the contract, routed to the consumer's queue. */
@Injectable()
export class QueueProducer {
  constructor(private readonly moduleRef: ModuleRef) {}

  async enqueue<N extends JobName>(name: N, data: JobPayloads[N], opts: JobsOptions = {}): Promise<string | undefined> {
    const queue = this.moduleRef.get<Queue>(getQueueToken(jobQueue[name]), { strict: false });
    const job = await withTimeout(
      queue.add(name, data, opts),
      ENQUEUE_TIMEOUT_MS,
      `Redis did not accept job '${name}' within ${ENQUEUE_TIMEOUT_MS} ms`,
    );
    return job.id;
  }

  /** Adds many jobs, grouped per queue (one round trip each). Used by the outbox relay. */
  async enqueueBulk(jobs: Array<{ name: JobName; data: JobPayloads[JobName]; jobId: string }>): Promise<void> {
    const byQueue = new Map<string, typeof jobs>();
    for (const j of jobs) byQueue.set(jobQueue[j.name], [...(byQueue.get(jobQueue[j.name]) ?? []), j]);
    await withTimeout(
      Promise.all(
        [...byQueue].map(([queueName, list]) =>
          this.moduleRef
            .get<Queue>(getQueueToken(queueName), { strict: false })
            .addBulk(list.map((j) => ({ name: j.name, data: j.data, opts: { jobId: j.jobId } }))),
        ),
      ),
      ENQUEUE_TIMEOUT_MS,
      `Redis did not accept the jobs within ${ENQUEUE_TIMEOUT_MS} ms`,
    );
  }
}

const QUEUE_CONNECTION = Symbol('QUEUE_CONNECTION');

/** BullMQ's connection for REDIS_* (redisTopology); a cluster client is BullMQ's to use and ours to close. */
@Module({
  providers: [
    {
      provide: QUEUE_CONNECTION,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => queueConnection(redisTopology(config)),
    },
  ],
  exports: [QUEUE_CONNECTION],
})
class QueueConnectionModule implements OnApplicationShutdown {
  constructor(@Inject(QUEUE_CONNECTION) private readonly connection: RedisOptions | Cluster) {}

  async onApplicationShutdown(): Promise<void> {
    if (!(this.connection instanceof Cluster)) return;
    const cluster = this.connection;
    // QUIT to every node, but a node that does not answer must not hold the shutdown: then the sockets are closed.
    await Promise.race([cluster.quit().catch(() => undefined), new Promise((r) => setTimeout(r, 5000).unref())]);
    cluster.disconnect();
  }
}

@Global()
@Module({})
export class QueueModule {
  /** BullMQ connection, prefix and default job options; every queue of the contract is registered for producing. */
  static forRoot(): DynamicModule {
    const queues = Object.values(Queues).map((name) => ({ name }));
    return {
      module: QueueModule,
      imports: [
        BullModule.forRootAsync({
          imports: [QueueConnectionModule],
          inject: [APP_CONFIG, QUEUE_CONNECTION],
          useFactory: (config: AppConfig, connection: RedisOptions | Cluster) => ({
            connection,
            prefix: queuePrefix(config),
            defaultJobOptions,
          }),
        }),
        BullModule.registerQueue(...queues),
      ],
      providers: [QueueProducer],
      exports: [QueueProducer, BullModule],
    };
  }
}
