import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface SunkMail {
  mailFrom: string;
  rcptTo: string[];
  raw: Buffer;
}

/** An SMTP sink on the `smtp-server` package: accepts mail (or refuses chosen recipients with 550) and keeps it. */
export class SmtpSink {
  readonly mails: SunkMail[] = [];
  readonly rejected = new Set<string>();
  /** Count only (the bench): mail is not kept. */
  keep = true;
  count = 0;
  private server!: SMTPServer;
  port = 0;

  async start(): Promise<this> {
    this.server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      size: 10 * 1024 * 1024,
      onRcptTo: (addr, _s, cb) =>
        this.rejected.has(addr.address.toLowerCase())
          ? cb(Object.assign(new Error('5.1.1 mailbox unavailable'), { responseCode: 550 }))
          : cb(),
      onData: (stream, session, cb) => {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => this.keep && chunks.push(c));
        stream.on('end', () => {
          this.count++;
          if (this.keep)
            this.mails.push({
              mailFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
              rcptTo: session.envelope.rcptTo.map((r) => r.address),
              raw: Buffer.concat(chunks),
            });
          cb();
        });
      },
    });
    this.server.on('error', () => undefined);
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', () => r()));
    this.port = (this.server.server.address() as AddressInfo).port;
    return this;
  }

  get url(): string {
    return `smtp://127.0.0.1:${this.port}`;
  }

  parsed(i: number): Promise<ParsedMail> {
    return simpleParser(this.mails[i]!.raw);
  }

  stop(): Promise<void> {
    return new Promise((r) => this.server.close(() => r()));
  }
}
