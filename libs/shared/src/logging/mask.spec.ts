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
    expect(maskValue({ password: 'hunter2', req: { headers: { authorization: 'Bearer abc' } }, owner: { mobiles: ['13912345678'] } })).toEqual({
      password: '[redacted]',
      req: { headers: { authorization: '[redacted]' } },
      owner: { mobiles: ['139****5678'] },
    });
  });
});
