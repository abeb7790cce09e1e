import { comparableText, textSimilarity } from './similarity';

// The duplicate threshold the intake service uses (case-intake.service.ts).
const DUPLICATE = 0.4;

describe('comparableText', () => {
  it('drops punctuation and spaces, folds width and traditional, lower-cases', () => {
    expect(comparableText('３栋 2单元，１５０２室！漏水？？ OK')).toBe('3栋2单元1502室漏水ok');
    expect(comparableText('電梯壞了。')).toBe('电梯坏了');
    expect(comparableText('…… —— 【】')).toBe('');
  });
});

describe('textSimilarity', () => {
  it('is 1 for the same text written differently', () => {
    expect(textSimilarity('3栋1502卫生间漏水，请尽快处理！', '３栋１５０２　卫生间漏水 请尽快处理')).toBe(1);
    expect(textSimilarity('電梯壞了', '电梯坏了')).toBe(1);
    expect(textSimilarity('Leak in BATHROOM', 'leak in bathroom.')).toBe(1);
  });

  it('is 0 for nothing in common or empty texts', () => {
    expect(textSimilarity('卫生间漏水', '电梯困人')).toBe(0);
    expect(textSimilarity('', '')).toBe(0);
    expect(textSimilarity('卫生间漏水', '')).toBe(0);
    expect(textSimilarity('！！！', '？？？')).toBe(0);
  });

  it('is symmetric and within 0..1', () => {
    const pairs: Array<[string, string]> = [
      ['卫生间漏水', '卫生间又漏水了'],
      ['a', 'ab'],
      ['漏水漏水漏水', '漏水'],
      ['3栋1502', '3栋1502卫生间漏水，物业一直不处理'],
    ];
    for (const [a, b] of pairs) {
      const s = textSimilarity(a, b);
      expect(s).toBeGreaterThanOrEqual(0);
      expect(s).toBeLessThanOrEqual(1);
      expect(textSimilarity(b, a)).toBeCloseTo(s, 12);
    }
  });

  it('computes the bigram Dice coefficient with counts', () => {
    // 卫生 生间 间漏 漏水 (4) vs 卫生 生间 间又 又漏 漏水 水了 (6): 3 shared → 6/10
    expect(textSimilarity('卫生间漏水', '卫生间又漏水了')).toBeCloseTo(0.6, 12);
    // 漏水 水漏 漏水 水漏 漏水 (5) vs 漏水 (1): 1 shared → 2/6
    expect(textSimilarity('漏水漏水漏水', '漏水')).toBeCloseTo(1 / 3, 12);
    // one-character texts compare as that character
    expect(textSimilarity('漏', '漏')).toBe(1);
    expect(textSimilarity('漏', '水')).toBe(0);
  });

  it('flags a repeat report of the same problem as a possible duplicate', () => {
    expect(
      textSimilarity('3栋2单元1502卫生间天花漏水，请尽快安排维修', '3栋2单元1502卫生间天花又漏水了，上次报修还没来'),
    ).toBeGreaterThanOrEqual(DUPLICATE);
    expect(textSimilarity('3栋1502卫生间漏水', '卫生间又漏水了，3栋1502')).toBeGreaterThanOrEqual(DUPLICATE);
  });

  it('does not flag different problems of the same owner', () => {
    expect(
      textSimilarity('3栋2单元1502卫生间天花漏水，请尽快安排维修', '请问3栋的房产证什么时候可以领取'),
    ).toBeLessThan(DUPLICATE);
    expect(textSimilarity('电梯经常困人，物业不管', '小区绿化养护太差，垃圾没人清理')).toBeLessThan(DUPLICATE);
  });
});
