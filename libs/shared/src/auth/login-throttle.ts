import { createHash } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type Redis from 'ioredis';
import { APP_CONFIG, type AppConfig } from '../config';
import { clientKey } from '../http/client-address';
import { REDIS } from '../redis/redis.module';
import { redisKeyPrefix } from '../redis/redis-topology';

/** Which limit a refused try ran into. */
export type LockScope = 'login' | 'address';

export type Reservation =
  | {
      allowed: true;
      login: string;
      address: string;
      counted: boolean;
      /** The address's tries within the window, this one included: the password gate serves low numbers first. */
      addressTries: number;
    }
  | {
      allowed: false;
      retryAfterSeconds: number;
      /** The limits this very try locked (a lockout to write down), empty when one was already in force. */
      lockedNow: Array<{ scope: LockScope; seconds: number }>;
    };

// KEYS: login tries, login lock, login strikes, address tries, address lock, address strikes.
// ARGV: login max, address max, window ms, first lockout ms, longest lockout ms, strike memory ms.
// A try is counted before the password is checked (so tries in flight count too: a burst cannot all slip through
// before the first failure is recorded); a success gives its count back (`settle`). The try that goes over a limit
// locks it for base · 2^(lockouts within the strike memory), and the count starts again after the lockout.
const RESERVE = `
local lt = redis.call('PTTL', KEYS[2])
local at = redis.call('PTTL', KEYS[5])
if lt > 0 or at > 0 then return {0, math.max(lt, at), 0, 0} end
local function take(count, lock, strikes, max)
  local n = redis.call('INCR', count)
  if n == 1 then redis.call('PEXPIRE', count, ARGV[3]) end
  if n <= tonumber(max) then return 0, n end
  local s = redis.call('INCR', strikes)
  redis.call('PEXPIRE', strikes, ARGV[6])
  local d = math.floor(math.min(tonumber(ARGV[5]), tonumber(ARGV[4]) * 2 ^ (s - 1)))
  redis.call('SET', lock, '1', 'PX', d)
  redis.call('DEL', count)
  return d, n
end
local ld = take(KEYS[1], KEYS[2], KEYS[3], ARGV[1])
local ad, an = take(KEYS[4], KEYS[5], KEYS[6], ARGV[2])
if ld == 0 and ad == 0 then return {1, 0, 0, 0, an} end
if ld == 0 then redis.call('DECR', KEYS[1]) end
if ad == 0 then redis.call('DECR', KEYS[4]) end
return {0, math.max(ld, ad), ld, ad}
`;

// KEYS: login tries, login strikes, address tries. A successful login clears its login's record and gives the
// address its try back (an office behind one address logs many people in).
const SUCCEEDED = `
redis.call('DEL', KEYS[1], KEYS[2])
if redis.call('EXISTS', KEYS[3]) == 1 and tonumber(redis.call('GET', KEYS[3])) > 0 then redis.call('DECR', KEYS[3]) end
return 1
`;

/** The scripts as ioredis commands (defineCommand): sent once, then run by their SHA. */
interface Scripts {
  kefuLoginReserve(...keysThenArgs: Array<string | number>): Promise<unknown>;
  kefuLoginSucceeded(...keys: string[]): Promise<unknown>;
}

/** How long lockouts are remembered for the doubling. */
const STRIKE_MEMORY_MS = 24 * 3600_000;
/** Password checks one app runs at once while Redis (and with it the limits) is unreachable. */
const UNTHROTTLED_MAX_IN_FLIGHT = 4;

/**
 * Login throttling: AUTH_LOGIN_MAX_FAILURES tries per login and AUTH_ADDRESS_MAX_FAILURES per client address (an IPv4
 * address, an IPv6 /64) within AUTH_FAILURE_WINDOW_MINUTES, then a lockout of AUTH_LOCKOUT_SECONDS that doubles with
 * each further lockout within a day, up to AUTH_LOCKOUT_MAX_SECONDS. Judged in Redis, in one script, before the
 * password is hashed: refused tries cost no scrypt, and the few a flood gets through wait in the PasswordGate behind
 * real logins from other addresses. The login is counted as typed whether or not it exists, so a lockout says nothing about which
 * logins exist. Keys hold hashes, not logins or addresses.
 */
@Injectable()
export class LoginThrottle {
  private readonly logger = new Logger(LoginThrottle.name);
  private unthrottledInFlight = 0;

  private readonly scripts: Scripts;

  constructor(
    @Inject(REDIS) redis: Redis,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    if (!('kefuLoginReserve' in redis)) {
      redis.defineCommand('kefuLoginReserve', { numberOfKeys: 6, lua: RESERVE });
      redis.defineCommand('kefuLoginSucceeded', { numberOfKeys: 3, lua: SUCCEEDED });
    }
    this.scripts = redis as unknown as Scripts;
  }

  /** Counts a try of `login` from `address`, or refuses it while either is locked out. */
  async reserve(login: string, address: string): Promise<Reservation> {
    const c = this.config;
    const k = this.keys(login, address);
    let reply: number[];
    try {
      // EVALSHA: the script's text crosses the wire once, not with every try of a flood.
      reply = (await this.scripts.kefuLoginReserve(
        k.loginTries,
        k.loginLock,
        k.loginStrikes,
        k.addressTries,
        k.addressLock,
        k.addressStrikes,
        c.AUTH_LOGIN_MAX_FAILURES,
        c.AUTH_ADDRESS_MAX_FAILURES,
        c.AUTH_FAILURE_WINDOW_MINUTES * 60_000,
        c.AUTH_LOCKOUT_SECONDS * 1000,
        Math.max(c.AUTH_LOCKOUT_SECONDS, c.AUTH_LOCKOUT_MAX_SECONDS) * 1000,
        STRIKE_MEMORY_MS,
      )) as number[];
    } catch (err) {
      // Without Redis there are no counts: logins go on (staff must still get in), a few password checks at a time.
      this.logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'login throttle unavailable');
      if (this.unthrottledInFlight >= UNTHROTTLED_MAX_IN_FLIGHT)
        return { allowed: false, retryAfterSeconds: 1, lockedNow: [] };
      this.unthrottledInFlight += 1;
      return { allowed: true, login, address, counted: false, addressTries: 0 };
    }
    const [allowed = 0, waitMs = 0, loginMs = 0, addressMs = 0, addressTries = 0] = reply.map(Number);
    if (allowed === 1) return { allowed: true, login, address, counted: true, addressTries };
    const lockedNow: Array<{ scope: LockScope; seconds: number }> = [];
    if (loginMs > 0) lockedNow.push({ scope: 'login', seconds: Math.ceil(loginMs / 1000) });
    if (addressMs > 0) lockedNow.push({ scope: 'address', seconds: Math.ceil(addressMs / 1000) });
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)), lockedNow };
  }

  /** The end of an allowed try: a success clears its login's count; a failure stays counted. */
  async settle(r: Extract<Reservation, { allowed: true }>, succeeded: boolean): Promise<void> {
    if (!r.counted) {
      this.unthrottledInFlight -= 1;
      return;
    }
    if (!succeeded) return;
    const k = this.keys(r.login, r.address);
    await this.scripts
      .kefuLoginSucceeded(k.loginTries, k.loginStrikes, k.addressTries)
      .catch((err: unknown) =>
        this.logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'login throttle unavailable'),
      );
  }

  private keys(login: string, address: string) {
    // In a cluster one hash tag for them all: a script's keys must share a slot.
    const prefix = redisKeyPrefix(this.config, 'auth');
    const h = (s: string) => createHash('sha256').update(s).digest('base64url').slice(0, 22);
    const l = `${prefix}:login:${h(login)}`;
    const a = `${prefix}:addr:${h(clientKey(address))}`;
    return {
      loginTries: `${l}:tries`,
      loginLock: `${l}:lock`,
      loginStrikes: `${l}:strikes`,
      addressTries: `${a}:tries`,
      addressLock: `${a}:lock`,
      addressStrikes: `${a}:strikes`,
    };
  }
}
