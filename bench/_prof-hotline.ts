import 'reflect-metadata';
import { Worker } from 'node:worker_threads';
import { DataSource } from 'typeorm';
import { configSchema, createApp, dataSourceOptions, freePort } from '@kefu/shared';
import { intakeApp } from '../apps/intake/src/intake.app';
import { loadDemoData } from '../tools/demo-data';
import { benchServices } from './bench-env';

const client = `
const { parentPort, workerData: w } = require('node:worker_threads');
(async () => {
  let next = 0; const t0 = performance.now();
  await Promise.all(Array.from({ length: 16 }, async () => {
    for (let i = next++; i < w.n; i = next++) {
      const r = await fetch(w.base + '/api/v1/hotline/calls', { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer ' + w.token }, body: JSON.stringify({ callerNumber: String(13900000000 + (i * 7919) % 5000 + 1), startedAt: new Date().toISOString(), durationSeconds: 60, summary: '厨房下水道堵塞，第' + i + '次反映' }) });
      await r.arrayBuffer();
    }
  }));
  parentPort.postMessage(w.n / ((performance.now() - t0) / 1000));
})();`;

async function main() {
  const s = await benchServices();
  const config = configSchema.parse({ DATABASE_URL: s.databaseUrl, REDIS_URL: s.redisUrl, AUTH_TOKEN_SECRET: 'bench-secret-bench-secret-bench-secret!', LOG_LEVEL: 'silent', NODE_ENV: 'production', QUEUE_PREFIX: 'prof', DB_POOL_SIZE: '20' });
  const ds = new DataSource(dataSourceOptions(s.databaseUrl, { poolSize: 2 })); await ds.initialize(); await loadDemoData(ds, 'bench-password-1'); await ds.destroy();
  const app = await createApp(intakeApp, config); const port = await freePort(); await app.listen(port, '127.0.0.1'); const base = `http://127.0.0.1:${port}`;
  const { accessToken } = await (await fetch(`${base}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ login: 'operator', password: 'bench-password-1' }) })).json() as { accessToken: string };
  for (const n of [300, 2000]) {
    const w = new Worker(client, { eval: true, workerData: { base, token: accessToken, n } });
    const rate = await new Promise((r) => w.once('message', r)); await w.terminate();
    console.log(n, 'hotline/s', rate);
  }
  await app.close(); await s.stop(); process.exit(0);
}
void main();
