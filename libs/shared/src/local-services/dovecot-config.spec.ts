import { dovecotConfig, isDovecotUsername } from './dovecot-config';
import type { DovecotAccounts } from './dovecot-server';

const user: DovecotAccounts = {
  internal: 'kefu',
  internalGroup: 'kefu',
  login: 'kefu',
  mail: { uid: 1000, gid: 1000 },
  root: false,
};

describe('dovecot config', () => {
  it('accepts tagged and VERP addresses as user names, never one that leaves the mail folder', () => {
    expect(isDovecotUsername('cs+bounce=owner@example.com')).toBe(true);
    expect(isDovecotUsername('../etc')).toBe(false);
    expect(isDovecotUsername('')).toBe(false);
    expect(isDovecotUsername('a'.repeat(201))).toBe(false);
  });

  it('listens on 127.0.0.1 at the port, keeps everything under the folder, and chroots only as root', () => {
    const conf = dovecotConfig('/data/mail', '/data/mail/run', 1143, user, { password: 'secret' });
    expect(conf).toContain('port = 1143');
    expect(conf).toContain('mail_location = maildir:/data/mail/mail/%u');
    expect(conf).toContain('args = password=secret');
    expect(conf).toContain('uid=1000 gid=1000');
    expect(conf).toContain('service anvil {\n  chroot =\n}');
    const asRoot = dovecotConfig('/data/mail', '/data/mail/run', 1143, { ...user, root: true }, { password: 's' });
    expect(asRoot).not.toContain('chroot =');
  });
});
