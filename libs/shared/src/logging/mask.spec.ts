import pino from 'pino';
import { pinoOptions } from './logger.options';
import { maskText, maskValue } from './mask';

describe('masking personal data in logs', () => {
  it.each([
    ['来电 13812345678 投诉', '来电 138****5678 投诉'],
    ['+86 138-1234-5678', '138****5678'],
    ['008613812345678', '138****5678'],
    ['座机 0755-83345678', '座机 0755****5678'],
    ['mail zhang.san@example.com now', 'mail z***@example.com now'],
  ])('%s → %s', (input, expected) => {
    expect(maskText(input)).toBe(expected);
  });

  it('leaves case numbers, dates and ids alone, and is idempotent', () => {
    const text = 'COBZS001-2026-00017 at 2026-11-23 id 550e8400-e29b-41d4-a716-446655440000';
    expect(maskText(text)).toBe(text);
    expect(maskText(maskText('13812345678'))).toBe('138****5678');
  });

  it('redacts secrets by key and masks nested values', () => {
    expect(
      maskValue({
        password: 'hunter2',
        req: { headers: { authorization: 'Bearer abc' } },
        owner: { mobiles: ['13912345678'] },
      }),
    ).toEqual({
      password: '[redacted]',
      req: { headers: { authorization: '[redacted]' } },
      owner: { mobiles: ['139****5678'] },
    });
  });
});

describe('pino options', () => {
  it('mask personal data in messages and objects, redact secrets, and leave class instances to serializers', () => {
    const lines: string[] = [];
    const stream = { write: (s: string) => lines.push(s) };
    const logger = pino(
      {
        ...pinoOptions({ LOG_LEVEL: 'info', LOG_FORMAT: 'json' }, 'intake'),
        serializers: { res: (r: { statusCode: number }) => ({ statusCode: r.statusCode }) },
      },
      stream,
    );
    class FakeResponse {
      statusCode = 201;
    }
    logger.info(
      { caller: '13812345678', token: 'abc', res: new FakeResponse() },
      'call from owner@example.com on 13912345678',
    );
    const entry = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(entry).toMatchObject({
      app: 'intake',
      caller: '138****5678',
      token: '[redacted]',
      res: { statusCode: 201 },
      msg: 'call from o***@example.com on 139****5678',
    });
    expect(lines[0]).not.toMatch(/13812345678|13912345678|owner@/);
  });
});
