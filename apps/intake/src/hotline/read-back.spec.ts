import { formatPromise, readBackSentence } from './read-back';

describe('the promised reply date as read back', () => {
  it("is the business zone's wall clock: month, day, weekday, 24-hour time", () => {
    // 2026-11-24T10:00Z is 18:00 on Tuesday 24 November in Shanghai.
    expect(formatPromise(new Date('2026-11-24T10:00:00Z'), 'Asia/Shanghai')).toBe('11月24日（星期二）18:00');
    // Past midnight locally: the next day (and its weekday), hours and minutes zero-padded.
    expect(formatPromise(new Date('2026-12-31T16:05:00Z'), 'Asia/Shanghai')).toBe('1月1日（星期五）00:05');
  });

  it("follows a zone's daylight-saving offset on either side of the change", () => {
    expect(formatPromise(new Date('2026-03-08T06:30:00Z'), 'America/New_York')).toBe('3月8日（星期日）01:30');
    expect(formatPromise(new Date('2026-03-08T07:30:00Z'), 'America/New_York')).toBe('3月8日（星期日）03:30');
  });

  it('goes into the sentence the operator reads back', () => {
    const s = readBackSentence(
      { number: 'KF-2026-00001', type: 'repair', promisedReplyAt: new Date('2026-11-24T10:00:00Z') },
      '卫生间漏水',
      'Asia/Shanghai',
    );
    expect(s).toBe(
      '已为您登记报修，编号 KF-2026-00001。我们会在11月24日（星期二）18:00前给您答复。您反映的是：卫生间漏水。请问我记录得对吗？',
    );
  });
});
