import { AppException, chineseDate, PdfFontMissingError, renderA4Pdf, type PdfFont } from '@kefu/shared';

export interface NoticePdfContent {
  companyName: string;
  hotline: string;
  estateName: string;
  kindName: string;
  title: string;
  body: string;
  reference: string;
  date: Date;
  timeZone: string;
}

/**
 * The notice as posted on the estate's notice boards: A4, the estate and the kind of notice, the title large, the
 * text, the company and date, the reference. The CJK font (the letters' font, LETTER_FONT_PATH) is embedded as a
 * subset, so the title is in the PDF's text layer.
 */
export async function renderNoticePdf(c: NoticePdfContent, font: PdfFont): Promise<Buffer> {
  const margins = { top: 72, bottom: 64, left: 72, right: 72 };
  const info = { Title: c.title, Author: c.companyName, Subject: c.reference, CreationDate: c.date };
  try {
    return await renderA4Pdf({ margins, info }, font, (doc) => {
      const width = doc.page.width - 144;
      doc.fontSize(12).text(`${c.estateName} · ${c.kindName}`, { align: 'center', width });
      doc.moveDown(0.8).fontSize(26).text(c.title, { align: 'center', width });
      const lineY = doc.y + 10;
      doc
        .moveTo(72, lineY)
        .lineTo(72 + width, lineY)
        .lineWidth(1)
        .stroke();
      doc.y = lineY + 24;
      doc.fontSize(14).text(c.body, { width, lineGap: 8, paragraphGap: 10, indent: 28 });
      doc.moveDown(3).fontSize(13).text(c.companyName, { align: 'right', width });
      doc.text(chineseDate(c.date, c.timeZone), { align: 'right', width });
      if (c.hotline) doc.moveDown(0.5).fontSize(11).text(`服务热线：${c.hotline}`, { align: 'right', width });
      doc.moveDown(2).fontSize(9).fillColor('#666').text(`编号：${c.reference}`, { align: 'left', width });
    });
  } catch (err) {
    if (err instanceof PdfFontMissingError)
      throw new AppException(
        'service_unavailable',
        `The notice font ${font.path} is not installed (fonts-wqy-microhei, or set LETTER_FONT_PATH).`,
      );
    throw err;
  }
}
