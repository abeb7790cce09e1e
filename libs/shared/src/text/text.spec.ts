import { chineseNumeral, foldText, numberKey, traditionalPairs } from './text';

describe('foldText', () => {
  it('folds full width, odd spaces and dashes, keeping the length', () => {
    const raw = '１３８－１２３４\u3000（０７５５）—Ａ座＃\u2013x';
    const folded = foldText(raw);
    expect(folded).toBe('138-1234 (0755)-A座#-x');
    expect(folded).toHaveLength(raw.length);
  });

  it('turns the traditional characters it knows into simplified ones', () => {
    expect(foldText('報修：3棟2單元1502，電梯壞了，要求賠償')).toBe('报修:3栋2单元1502,电梯坏了,要求赔偿');
  });

  it('has a clean pair table: one character each way, never chained', () => {
    const simplifiedChars = new Set(traditionalPairs.values());
    for (const [from, to] of traditionalPairs) {
      expect(from).toHaveLength(1);
      expect(to).toHaveLength(1);
      expect(simplifiedChars.has(from)).toBe(false);
    }
  });
});

describe('chineseNumeral', () => {
  it.each([
    ['一', 1],
    ['二', 2],
    ['两', 2],
    ['九', 9],
    ['十', 10],
    ['十一', 11],
    ['十二', 12],
    ['二十', 20],
    ['二十三', 23],
    ['九十九', 99],
  ])('%s → %d', (s, n) => {
    expect(chineseNumeral(s)).toBe(n);
  });

  it.each([[''], ['三三'], ['十十'], ['百'], ['3'], ['二十三四']])('rejects %j', (s) => {
    expect(chineseNumeral(s)).toBeNull();
  });
});

describe('numberKey', () => {
  it.each([
    ['3', '3'],
    ['03', '3'],
    ['三', '3'],
    ['a', 'A'],
    ['１５０２', '1502'],
    ['0801', '801'],
    ['', ''],
  ])('%j → %j', (s, k) => {
    expect(numberKey(s)).toBe(k);
  });
});
