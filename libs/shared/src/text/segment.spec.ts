import { indexText, problemWords, queryWords, segmentWords } from './segment';

describe('Chinese segmentation (jieba)', () => {
  it('cuts property-management words whole (user dictionary) and drops punctuation and stop words', () => {
    const words = segmentWords('3号楼卫生间渗水，墙面空鼓开裂，我们已经反映多次了！');
    expect(words).toEqual(expect.arrayContaining(['卫生间', '渗水', '墙面', '空鼓', '开裂']));
    expect(words).not.toContain('空');
    expect(words).not.toContain('，');
    expect(words).not.toContain('我们');
    expect(words).not.toContain('已经');
  });

  it('folds traditional characters and full-width letters before cutting', () => {
    expect(segmentWords('衛生間滲水')).toEqual(['卫生间', '渗水']);
    expect(segmentWords('ＡＢＣ门禁')).toEqual(['abc', '门禁']);
  });

  it('indexes a long word together with its parts, so either finds it', () => {
    const words = indexText('卫生间防水层渗漏').split(' ');
    expect(words).toEqual(expect.arrayContaining(['卫生间', '卫生', '渗漏']));
  });

  it('asks for every distinct word of a query, never quotes or backslashes', () => {
    expect(queryWords('卫生间 渗水 渗水')).toEqual(['卫生间', '渗水']);
    expect(queryWords("it's \\ 漏水")).toEqual(['it', 's', '漏水']);
    expect(queryWords('，。！')).toEqual([]);
    // A query of stop words only still asks for them.
    expect(queryWords('物业')).toEqual(['物业']);
  });

  it('takes problem words of two characters or more, once each, without numbers', () => {
    expect(problemWords('1201室 外墙渗水 外墙渗水 A3')).toEqual(['外墙', '渗水']);
  });
});
