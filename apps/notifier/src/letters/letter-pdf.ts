import QRCode from 'qrcode';
import { chineseDate, renderA4Pdf, type PdfFont } from '@kefu/shared';

export interface Letterhead {
  companyName: string;
  address: string;
  hotline: string;
}

export interface LetterContent {
  letterhead: Letterhead;
  recipient: { name: string; address: string; postcode: string | null };
  subject: string | null;
  body: string;
  reference: string;
  /** Shown as 2026年11月23日 (business time zone). */
  date: Date;
  timeZone: string;
  /** A link printed as a QR code, right-aligned above the notice (a survey's page); null = none. */
  qrUrl?: string | null;
}

/**
 * An A4 letter: letterhead, the recipient's address block for a window envelope (邮编, address,
 * name 收), the notice and its reference number and date. The CJK font is embedded as a subset of
 * the glyphs used, so a one-page letter stays around 10–20 KB.
 */
export function renderLetterPdf(c: LetterContent, font: PdfFont): Promise<Buffer> {
  const margins = { top: 56, bottom: 56, left: 64, right: 64 };
  const info = {
    Title: c.subject ?? c.reference,
    Author: c.letterhead.companyName,
    Subject: c.reference,
    CreationDate: c.date,
  };
  return renderA4Pdf({ margins, info }, font, (doc) => {
    const width = doc.page.width - 128;
    // Letterhead
    doc.fontSize(18).text(c.letterhead.companyName, { align: 'center', width });
    const contact = [
      c.letterhead.address && `地址：${c.letterhead.address}`,
      c.letterhead.hotline && `服务热线：${c.letterhead.hotline}`,
    ]
      .filter(Boolean)
      .join('    ');
    if (contact) doc.moveDown(0.3).fontSize(9).text(contact, { align: 'center', width });
    const lineY = doc.y + 6;
    doc
      .moveTo(64, lineY)
      .lineTo(64 + width, lineY)
      .lineWidth(0.8)
      .stroke();
    // Address block (window-envelope position)
    doc.y = lineY + 24;
    doc.fontSize(11);
    if (c.recipient.postcode) doc.text(`邮编：${c.recipient.postcode}`);
    doc.text(c.recipient.address, { width: 280 });
    doc.moveDown(0.2).fontSize(13).text(`${c.recipient.name}  收`);
    // Reference and date, right-aligned
    doc.moveDown(1.5).fontSize(9).text(`编号：${c.reference}`, { align: 'right', width });
    doc.text(`日期：${chineseDate(c.date, c.timeZone)}`, { align: 'right', width });
    // The link as a QR code, right-aligned under the date, above the notice (nothing else on those lines).
    if (c.qrUrl) {
      const top = doc.y + 8;
      drawQr(doc, c.qrUrl, 64 + width - 96, top, 96);
      doc.y = top + 96;
    }
    // The notice
    doc.moveDown(1.2);
    if (c.subject) doc.fontSize(15).text(c.subject, { align: 'center', width }).moveDown(0.8);
    doc.fontSize(11.5).text(c.body, { width, align: 'left', lineGap: 5, paragraphGap: 6 });
    doc.moveDown(2).text(c.letterhead.companyName, { align: 'right', width });
    doc.text(chineseDate(c.date, c.timeZone), { align: 'right', width });
  });
}

/** A QR code as vector squares (no image): crisp when printed, a few hundred bytes. */
function drawQr(doc: PDFKit.PDFDocument, text: string, x: number, y: number, size: number): void {
  const { modules } = QRCode.create(text, { errorCorrectionLevel: 'M' });
  const n = modules.size;
  const cell = size / (n + 2); // a quiet zone of one module each side
  doc.save().fillColor('black');
  for (let r = 0; r < n; r++)
    for (let col = 0; col < n; col++)
      if (modules.get(r, col)) doc.rect(x + (col + 1) * cell, y + (r + 1) * cell, cell, cell);
  doc.fill().restore();
}
