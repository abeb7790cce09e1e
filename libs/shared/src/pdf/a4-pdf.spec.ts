import { chineseDate, PdfFontMissingError, renderA4Pdf } from './a4-pdf';
import { configSchema } from '../config';

describe('renderA4Pdf (letters, notices, reports)', () => {
  const defaults = configSchema.shape;
  const font = {
    path: defaults.LETTER_FONT_PATH.parse(undefined),
    family: defaults.LETTER_FONT_FAMILY.parse(undefined),
  };
  const opts = {
    margins: { top: 56, bottom: 56, left: 64, right: 64 },
    info: { Title: '测试', Author: '客户服务部', CreationDate: new Date('2026-12-08T00:00:00Z') },
  };

  it('writes an A4 PDF with the CJK font, what draw wrote in its text layer', async () => {
    const pdf = await renderA4Pdf(opts, font, (doc) => doc.fontSize(12).text('台风预警'));
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    expect(pdf.length).toBeGreaterThan(1_000);
  });

  it('refuses with PdfFontMissingError, naming the file, when the font is not installed', async () => {
    const missing = { path: '/nonexistent/font.ttc', family: 'x' };
    await expect(renderA4Pdf(opts, missing, () => undefined)).rejects.toThrow(PdfFontMissingError);
    await expect(renderA4Pdf(opts, missing, () => undefined)).rejects.toThrow(
      'font /nonexistent/font.ttc not found (install fonts-wqy-microhei or set LETTER_FONT_PATH)',
    );
  });

  it('passes on what draw throws', async () => {
    await expect(
      renderA4Pdf(opts, font, () => {
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
  });

  it('dates as 2026年12月8日 in the business time zone', () => {
    expect(chineseDate(new Date('2026-12-07T16:30:00Z'), 'Asia/Shanghai')).toBe('2026年12月8日');
    expect(chineseDate(new Date('2026-12-07T16:30:00Z'), 'UTC')).toBe('2026年12月7日');
  });
});
