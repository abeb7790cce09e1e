import { productionUrlProblems, trustProxyProblem, weakSecret } from './production-rules';

describe('production rules', () => {
  it('finds placeholder and low-entropy secrets weak, random hex strong', () => {
    expect(weakSecret('a'.repeat(32))).toBe(true);
    expect(weakSecret('abcd'.repeat(8))).toBe(true);
    expect(weakSecret('please-change-me-0123456789abcdef')).toBe(true);
    expect(weakSecret('3f9c1e7a0b5d4c2e8f6a1b3c5d7e9f0a2b4c6d8e0f1a3b5c')).toBe(false);
  });

  it('refuses a trusted proxy of true or a hop count, and accepts a subnet', () => {
    expect(trustProxyProblem(true)).toMatch(/^true believes every X-Forwarded-For/);
    expect(trustProxyProblem(1)).toMatch(/hop count/);
    expect(trustProxyProblem('10.0.0.0/8')).toBeUndefined();
    expect(trustProxyProblem(false)).toBeUndefined();
  });

  it('names public URLs on this machine, unless the callback goes with a local Twilio API', () => {
    expect(
      productionUrlProblems({
        PUBLIC_BASE_URL: 'http://localhost:3000',
        SCHEDULER_PUBLIC_URL: 'http://127.0.0.1:3001',
      }).map((p) => p.path[0]),
    ).toEqual(['PUBLIC_BASE_URL', 'SCHEDULER_PUBLIC_URL']);
    const callback = { PUBLIC_BASE_URL: 'https://kefu.example.com', TWILIO_STATUS_CALLBACK_URL: 'http://localhost/cb' };
    expect(productionUrlProblems(callback).map((p) => p.path[0])).toEqual(['TWILIO_STATUS_CALLBACK_URL']);
    expect(productionUrlProblems({ ...callback, TWILIO_API_BASE_URL: 'http://127.0.0.1:4010' })).toEqual([]);
  });
});
