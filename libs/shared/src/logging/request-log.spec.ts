import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pinoHttp, type Options } from 'pino-http';
import { configSchema } from '../config';
import { loggerModuleParams } from './logger.options';

describe('the per-request log line', () => {
  let server: Server;
  const lines: string[] = [];

  beforeAll(async () => {
    const config = configSchema.parse({
      DATABASE_URL: 'postgres://x@localhost/x',
      REDIS_URL: 'redis://localhost',
      AUTH_TOKEN_SECRET: 'a-secret-of-at-least-thirty-two-characters!',
      LOG_LEVEL: 'info',
      LOG_FORMAT: 'json',
    });
    const logger = pinoHttp(loggerModuleParams(config, 'intake').pinoHttp as Options, {
      write: (s: string) => lines.push(s),
    });
    server = createServer((req, res) => {
      logger(req, res);
      res.setHeader('set-cookie', 'session=abc');
      res.statusCode = 201;
      res.end('ok');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  it('holds the method, the masked path without its query and the status; no headers of the request, no cookie of the response', async () => {
    const { port } = server.address() as AddressInfo;
    await (
      await fetch(`http://127.0.0.1:${port}/api/v1/hotline/callers/13812345678?number=13912345678`, {
        headers: { authorization: 'Bearer secret-token' },
      })
    ).text();
    await new Promise((r) => setImmediate(r));
    const entry = JSON.parse(lines.at(-1)!) as {
      req: Record<string, unknown>;
      res: { statusCode: number; headers: Record<string, unknown> };
      msg: string;
    };
    expect(entry.msg).toBe('request completed');
    expect(entry.req).toEqual({ id: expect.anything(), method: 'GET', url: '/api/v1/hotline/callers/138****5678' });
    expect(entry.res.statusCode).toBe(201);
    expect(entry.res.headers['set-cookie']).toBe('[redacted]');
    expect(lines.join('\n')).not.toMatch(/13812345678|13912345678|secret-token|session=abc/);
  });

  it('cuts the tokens of signed links out of the path (issue 16, 11): the log is no way to acknowledge a reminder', async () => {
    const { port } = server.address() as AddressInfo;
    for (const path of [
      '/ack/eyJhbGciOi.secret-ack-token',
      '/ack/eyJhbGciOi.secret-ack-token/',
      '/visit/v1.secret-visit-token',
    ])
      await (await fetch(`http://127.0.0.1:${port}${path}`, { method: 'POST' })).text();
    await new Promise((r) => setImmediate(r));
    const urls = lines.slice(-3).map((l) => (JSON.parse(l) as { req: { url: string } }).req.url);
    expect(urls).toEqual(['/ack/[token]', '/ack/[token]/', '/visit/[token]']);
    expect(lines.join('\n')).not.toMatch(/secret-(ack|visit)-token/);
  });
});
