import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { loadConfig, type NotificationEntity } from '@kefu/shared';
import { SmtpEmailSender } from './smtp-email.sender';

/**
 * An SMTP server that takes the message and then never answers it (issue 16, 10: one that answers DATA after 3
 * minutes). The attempt must end within SMTP_TIMEOUT_SECONDS as a retry, not hang past the reconciliation window.
 */
describe('SMTP timeouts', () => {
  let server: Server;
  const sockets = new Set<Socket>();
  beforeAll(async () => {
    server = createServer((socket) => {
      sockets.add(socket);
      socket.write('220 slow.example ESMTP\r\n');
      let data = false;
      socket.on('data', (chunk) => {
        for (const line of String(chunk).split('\r\n').filter(Boolean)) {
          if (data) continue; // the message: swallowed, and its final "." never answered
          if (/^EHLO/i.test(line)) socket.write('250-slow.example\r\n250 8BITMIME\r\n');
          else if (/^(MAIL|RCPT)/i.test(line)) socket.write('250 OK\r\n');
          else if (/^DATA/i.test(line)) {
            data = true;
            socket.write('354 go ahead\r\n');
          } else if (/^QUIT/i.test(line)) socket.end('221 bye\r\n');
        }
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  });
  afterAll(async () => {
    for (const s of sockets) s.destroy();
    await new Promise((r) => server.close(r));
  });

  it('gives up on a server that never answers the message, within SMTP_TIMEOUT_SECONDS, as a retry', async () => {
    const { port } = server.address() as AddressInfo;
    const config = loadConfig({
      DATABASE_URL: 'postgres://u:p@localhost:5432/kefu',
      REDIS_URL: 'redis://localhost:6379',
      AUTH_TOKEN_SECRET: 'x'.repeat(32),
      SMTP_URL: `smtp://127.0.0.1:${port}`,
      SMTP_TIMEOUT_SECONDS: '1',
      EMAIL_FROM: 'kefu@kefu.example.com',
    });
    const sender = new SmtpEmailSender(config);
    try {
      const started = Date.now();
      const outcome = await sender.send(
        { id: '00000000-0000-4000-8000-000000000001', attempts: 1 } as NotificationEntity,
        { name: '业主', address: 'owner@example.com' },
        { subject: '测试', body: '正文', html: null },
      );
      expect(outcome.kind).toBe('retry');
      // Nodemailer's own default would have waited 10 minutes; a hang guard, not a speed test.
      expect(Date.now() - started).toBeLessThan(20_000);
    } finally {
      sender.onApplicationShutdown();
    }
  }, 30_000);
});
