import { startupWarnings } from './config.schema';
import { ConfigError, loadConfig } from './load-config';

const valid = {
  DATABASE_URL: 'postgres://u:p@localhost:5432/kefu',
  REDIS_URL: 'redis://localhost:6379',
  AUTH_TOKEN_SECRET: 'x'.repeat(32),
};

describe('loadConfig', () => {
  it('applies defaults: Asia/Shanghai, ports, working hours', () => {
    const c = loadConfig(valid);
    expect(c).toMatchObject({
      BUSINESS_TIME_ZONE: 'Asia/Shanghai',
      INTAKE_PORT: 3000,
      SCHEDULER_PORT: 3001,
      NOTIFIER_PORT: 3002,
      AUTH_TOKEN_TTL_SECONDS: 900,
    });
    expect(c.WORKING_HOURS).toEqual([
      { start: '09:00', end: '12:00' },
      { start: '13:00', end: '18:00' },
    ]);
  });

  it('keeps call recordings at least 30 days whatever RECORDING_MIN_KEEP_DAYS says (004 篇3 §4.5), longer if asked', () => {
    expect(loadConfig(valid).RECORDING_MIN_KEEP_DAYS).toBe(30);
    expect(loadConfig({ ...valid, RECORDING_MIN_KEEP_DAYS: '90' }).RECORDING_MIN_KEEP_DAYS).toBe(90);
    expect(() => loadConfig({ ...valid, RECORDING_MIN_KEEP_DAYS: '7' })).toThrow(
      /RECORDING_MIN_KEEP_DAYS: the rules keep call recordings at least 30 days/,
    );
  });

  it('refuses a guessable AUTH_TOKEN_SECRET in production (issue 16, 9), not in development or tests', () => {
    const prod = { ...valid, NODE_ENV: 'production', PUBLIC_BASE_URL: 'https://kefu.example.com' };
    for (const weak of ['x'.repeat(32), 'abcd'.repeat(8), 'please-change-me-to-something-long', 'kefu'.repeat(10)])
      expect(() => loadConfig({ ...prod, AUTH_TOKEN_SECRET: weak })).toThrow(/AUTH_TOKEN_SECRET: too easy to guess/);
    const random = '7f3a9c2e41b8d6f05a1e9c73b2d84f60e5a1c9b7d3f28e46a0c5b19d7e2f4a86';
    expect(loadConfig({ ...prod, AUTH_TOKEN_SECRET: random }).AUTH_TOKEN_SECRET).toBe(random);
    expect(loadConfig(valid).AUTH_TOKEN_SECRET).toBe('x'.repeat(32));
  });

  it('refuses CLOCK_OFFSET_FILE in production, takes it in development and tests', () => {
    const prod = {
      ...valid,
      NODE_ENV: 'production',
      PUBLIC_BASE_URL: 'https://kefu.example.com',
      AUTH_TOKEN_SECRET: '7f3a9c2e41b8d6f05a1e9c73b2d84f60e5a1c9b7d3f28e46a0c5b19d7e2f4a86',
    };
    expect(() => loadConfig({ ...prod, CLOCK_OFFSET_FILE: '/tmp/offset' })).toThrow(
      /CLOCK_OFFSET_FILE: moves the business clock, for development and tests only/,
    );
    expect(loadConfig({ ...prod, CLOCK_OFFSET_FILE: '' }).CLOCK_OFFSET_FILE).toBeUndefined();
    expect(loadConfig({ ...valid, CLOCK_OFFSET_FILE: '/tmp/offset' }).CLOCK_OFFSET_FILE).toBe('/tmp/offset');
  });

  describe('in production (issue 16, 2 and 5)', () => {
    const prod = {
      ...valid,
      NODE_ENV: 'production',
      AUTH_TOKEN_SECRET: '7f3a9c2e41b8d6f05a1e9c73b2d84f60e5a1c9b7d3f28e46a0c5b19d7e2f4a86',
      PUBLIC_BASE_URL: 'https://kefu.example.com',
    };

    it('refuses public URLs on this machine: links and Twilio callbacks would lead nowhere', () => {
      expect(() => loadConfig({ ...prod, PUBLIC_BASE_URL: undefined })).toThrow(
        /PUBLIC_BASE_URL: points at this machine/,
      );
      for (const local of ['http://127.0.0.1:3000', 'http://[::1]:3000', 'http://kefu.localhost'])
        expect(() => loadConfig({ ...prod, PUBLIC_BASE_URL: local })).toThrow(/PUBLIC_BASE_URL/);
      expect(() => loadConfig({ ...prod, SCHEDULER_PUBLIC_URL: 'http://localhost:3001' })).toThrow(
        /SCHEDULER_PUBLIC_URL: points at this machine/,
      );
      const callback = { TWILIO_STATUS_CALLBACK_URL: 'http://localhost:3002/webhooks/twilio/status' };
      expect(() => loadConfig({ ...prod, ...callback })).toThrow(/TWILIO_STATUS_CALLBACK_URL/);
      // …unless Twilio itself is a stub on this machine.
      expect(loadConfig({ ...prod, ...callback, TWILIO_API_BASE_URL: 'http://127.0.0.1:3003' }).NODE_ENV).toBe(
        'production',
      );
      // Development keeps its localhost defaults.
      expect(loadConfig(valid).PUBLIC_BASE_URL).toBe('http://localhost:3000');
    });

    it('refuses a TRUST_PROXY that lets any client choose its address, and warns while it is loopback', () => {
      expect(() => loadConfig({ ...prod, TRUST_PROXY: 'true' })).toThrow(
        /TRUST_PROXY: true believes every X-Forwarded-For/,
      );
      expect(() => loadConfig({ ...prod, TRUST_PROXY: '2' })).toThrow(/TRUST_PROXY: a hop count/);
      const subnet = loadConfig({ ...prod, TRUST_PROXY: '10.0.0.0/8' });
      expect(subnet.TRUST_PROXY).toBe('10.0.0.0/8');
      expect(startupWarnings(subnet)).toEqual([]);
      expect(startupWarnings(loadConfig(prod))).toEqual([expect.stringMatching(/^TRUST_PROXY is loopback/)]);
      expect(startupWarnings(loadConfig({ ...valid, TRUST_PROXY: 'true' }))).toEqual([]);
    });
  });

  it('lists every bad variable at once', () => {
    let err: unknown;
    try {
      loadConfig({
        REDIS_URL: 'http://nope',
        INTAKE_PORT: '99999',
        BUSINESS_TIME_ZONE: 'Mars/Olympus',
        AUTH_TOKEN_SECRET: 'short',
        WORKING_HOURS: '18:00-09:00',
      });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const problems = (err as ConfigError).problems.join('\n');
    for (const name of [
      'DATABASE_URL: is required',
      'REDIS_URL',
      'INTAKE_PORT',
      'BUSINESS_TIME_ZONE',
      'AUTH_TOKEN_SECRET',
      'WORKING_HOURS',
    ]) {
      expect(problems).toContain(name);
    }
    expect((err as ConfigError).problems).toHaveLength(6);
  });

  it('treats empty variables as unset and resolves SLA_POLICY onto the defaults', () => {
    const c = loadConfig({
      ...valid,
      LOG_LEVEL: '',
      SLA_POLICY: '{"departmentPlan":{"amount":3,"unit":"working_days"}}',
    });
    expect(c.LOG_LEVEL).toBe('info');
    expect(c.SLA_POLICY.departmentPlan).toEqual({ amount: 3, unit: 'working_days' });
    expect(c.SLA_POLICY.maxReplyDateMoves).toBe(2);
    expect(loadConfig(valid).SLA_POLICY.major.reportToHead).toEqual({ amount: 10, unit: 'minutes' });
    expect(() => loadConfig({ ...valid, SLA_POLICY: '[1' })).toThrow(/SLA_POLICY: must be a JSON object/);
  });

  it('reports a bad SLA_POLICY key at boot, together with the other problems', () => {
    let err: unknown;
    try {
      loadConfig({
        ...valid,
        REDIS_URL: 'nope',
        SLA_POLICY: '{"major":{"reportToHeadd":{"amount":5,"unit":"minutes"}}}',
      });
    } catch (e) {
      err = e;
    }
    expect((err as ConfigError).problems).toEqual([
      expect.stringMatching(/^REDIS_URL/),
      'SLA_POLICY: major.reportToHeadd: unknown key',
    ]);
  });
});
