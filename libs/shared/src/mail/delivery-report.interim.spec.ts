import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseDeliveryReport } from './delivery-report';

const DSN_FIXTURES = join(__dirname, '../../../../apps/notifier/test-fixtures/dsn');
const fixture = (name: string) => readFileSync(join(DSN_FIXTURES, name));

describe('delivery-status reports', () => {
  it.each([
    ['lhost-postfix-01.eml', 'rfc3464', '5.1.1', /No such user/, 'r@p351355.pool.example.ne.jp', null],
    ['lhost-exchange2007-01.eml', 'rfc3464', '5.1.1', /RESOLVER\.ADR\.RecipNotFound/, 'mikeneko@example.co.jp', null],
    ['lhost-exim-01.eml', 'x-failed-recipients', '5.7.0', /550 5\.7\.0/, 'kijitora@example.ed.jp', 'E1P1ce6-000Egt-GZ@e1.example.org'],
    ['lhost-gmail-01.eml', 'x-failed-recipients', '5.1.1', /User Unknown/, 'userunknown@example.jp', 'D992C2C3-F175-4C4D-97E2-53A90E4E5BF5@gmail.com'],
    ['rfc3464-01.eml', 'rfc3464', '5.1.1', /User Unknown/, 'userunknown@bouncehammer.jp', 'E1C50F1B-1C83-4820-BC36-AC6FBFBE8568@example.org'],
  ])('reads %s: format, action, status, diagnostic, final recipient, original Message-ID', (file, format, status, diagnostic, recipient, original) => {
    const r = parseDeliveryReport(fixture(file));
    expect(r).toMatchObject({ format, action: 'failed', status, diagnostic: expect.stringMatching(diagnostic), finalRecipient: recipient, originalMessageId: original });
  });

  it('reads Original-Envelope-Id and a delayed action', () => {
    const raw = fixture('lhost-postfix-01.eml').toString('latin1')
      .replace('Reporting-MTA: dns; p351355.pool.example.ne.jp', 'Reporting-MTA: dns; p351355.pool.example.ne.jp\nOriginal-Envelope-Id: 0f8e0a56-2b5c-4d7e-9c1a-3f2e1d0c9b8a')
      .replace('Action: failed', 'Action: delayed').replace('Status: 5.1.1', 'Status: 4.4.7');
    expect(parseDeliveryReport(Buffer.from(raw, 'latin1'))).toMatchObject({ action: 'delayed', status: '4.4.7', originalEnvelopeId: '0f8e0a56-2b5c-4d7e-9c1a-3f2e1d0c9b8a' });
  });

  it('is not fooled by an auto-reply', () => {
    expect(parseDeliveryReport(fixture('rfc3834-01.eml'))).toBeNull();
  });
});
