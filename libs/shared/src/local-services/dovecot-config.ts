import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DovecotAccounts, DovecotLogins } from './dovecot-server';

// Dovecot's default plus `+` and `=` (VERP and tagged addresses); never `/`, which would leave the mail folder.
const USERNAME_CHARS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ01234567890.-_@+=';

/** Whether Dovecot accepts `user` as a login name (and so as a mailbox of its own). */
export function isDovecotUsername(user: string): boolean {
  return user.length > 0 && user.length <= 200 && [...user].every((c) => USERNAME_CHARS.includes(c));
}

function passdb(dir: string, logins: DovecotLogins): string {
  if ('password' in logins) {
    return `passdb {\n  driver = static\n  args = password=${logins.password}\n}`;
  }
  const lines = Object.entries(logins.users).map(([u, p]) => `${u}:{PLAIN}${p}\n`);
  writeFileSync(join(dir, 'passwd'), lines.join(''), { mode: 0o644 });
  return `passdb {\n  driver = passwd-file\n  args = scheme=PLAIN username_format=%u ${dir}/passwd\n}`;
}

/** A private dovecot.conf: IMAP on 127.0.0.1:port, no TLS, maildirs, state and log under `dir`. */
export function dovecotConfig(
  dir: string,
  baseDir: string,
  port: number,
  a: DovecotAccounts,
  logins: DovecotLogins,
): string {
  return `# Private instance: nothing from /etc/dovecot is read.
base_dir = ${baseDir}
state_dir = ${dir}/state
log_path = ${dir}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_username_chars = ${USERNAME_CHARS}
default_internal_user = ${a.internal}
default_internal_group = ${a.internalGroup}
default_login_user = ${a.login}
first_valid_uid = 1
first_valid_gid = 1
mail_location = maildir:${dir}/mail/%u
mail_fsync = never
${passdb(dir, logins)}
userdb {
  driver = static
  args = uid=${a.mail.uid} gid=${a.mail.gid} home=${dir}/home/%u
}
service imap-login {${a.root ? '' : '\n  chroot ='}
  inet_listener imap {
    address = 127.0.0.1
    port = ${port}
  }
  inet_listener imaps {
    port = 0
  }
}
${a.root ? '' : '# Not root: chroot is not permitted.\nservice anvil {\n  chroot =\n}\n'}namespace inbox {
  inbox = yes
  separator = /
}
`;
}
