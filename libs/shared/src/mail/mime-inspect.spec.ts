import { uidSet } from './mailbox-client';
import { contentHashOf, headerBlock, isKnownCharset, messageIdOf } from './mime-inspect';

describe('raw MIME inspection', () => {
  const mail = (trace: string) =>
    Buffer.from(
      `${trace}From: a@example.com\r\nTo: cs@kefu.example\r\nSubject: hi\r\nDate: Mon, 23 Nov 2026 10:00:00 +0800\r\nMessage-ID:\r\n <abc@example.com>\r\n\r\nbody\r\n`,
    );

  it('reads a folded Message-ID without brackets', () => {
    expect(messageIdOf(headerBlock(mail('')))).toBe('abc@example.com');
    expect(messageIdOf(headerBlock(Buffer.from('From: a@b\r\n\r\nx')))).toBeNull();
  });

  it('hashes the same message delivered twice alike, whatever the trace headers, and a changed body differently', () => {
    const a = mail('Received: from mx1 by a\r\nDelivered-To: cs@kefu.example\r\n');
    const b = mail('Received: from mx2 by b\r\nReturn-Path: <a@example.com>\r\n');
    expect(contentHashOf(a, headerBlock(a))).toBe(contentHashOf(b, headerBlock(b)));
    const c = Buffer.from(a.toString().replace('body', 'other'));
    expect(contentHashOf(c, headerBlock(c))).not.toBe(contentHashOf(a, headerBlock(a)));
  });

  it('knows the charsets Chinese mail uses, and refuses UTF-7 and made-up ones', () => {
    for (const cs of [
      'gb2312',
      'GBK',
      'gb18030',
      'big5',
      'Big5-HKSCS',
      'utf-8',
      'UTF8',
      'us-ascii',
      'iso-8859-1',
      'windows-1252',
      'cp936',
      'iso-2022-jp',
      'ks_c_5601-1987',
    ])
      expect(isKnownCharset(cs)).toBe(true);
    for (const cs of ['utf-7', 'x-unknown', 'unknown-8bit', 'x-mac-chinesesimp'])
      expect(isKnownCharset(cs)).toBe(false);
  });

  it('writes UID sets as ranges', () => {
    expect(uidSet([9, 3, 4, 5, 7, 12, 13, 14, 4])).toBe('3:5,7,9,12:14');
  });
});
