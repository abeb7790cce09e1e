import { existsSync } from 'node:fs';
import PDFDocument from 'pdfkit';

/** The CJK font printed documents use (LETTER_FONT_PATH; fonts-wqy-microhei by default). */
export interface PdfFont {
  path: string;
  /** The face's PostScript name inside a .ttc collection (ignored for a single-face file). */
  family: string;
}

/** The font file is not there: the caller says which package or setting provides it. */
export class PdfFontMissingError extends Error {
  constructor(readonly fontPath: string) {
    super(`font ${fontPath} not found (install fonts-wqy-microhei or set LETTER_FONT_PATH)`);
  }
}

/** 2026年11月23日 in the given zone. */
export function chineseDate(d: Date, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
  }).formatToParts(d);
  const get = (t: string) => parts.find((p) => p.type === t)?.value ?? '';
  return `${get('year')}年${Number(get('month'))}月${Number(get('day'))}日`;
}

/**
 * An A4 PDF in memory with the CJK font registered as `cjk` and selected (embedded as a subset of the glyphs used,
 * so the text stays in the PDF's text layer and a page stays small); `draw` writes the page. Rejects with
 * PdfFontMissingError when the font file is missing, and with whatever `draw` throws.
 */
export function renderA4Pdf(
  opts: {
    margins: { top: number; bottom: number; left: number; right: number };
    info: { Title: string; Author: string; Subject?: string; CreationDate: Date };
    /** Keep every page open until the end (to number them: "第 n 页 / 共 m 页"). */
    bufferPages?: boolean;
  },
  font: PdfFont,
  draw: (doc: PDFKit.PDFDocument) => void,
): Promise<Buffer> {
  if (!existsSync(font.path)) return Promise.reject(new PdfFontMissingError(font.path));
  return new Promise<Buffer>((resolve, reject) => {
    const doc = new PDFDocument({
      size: 'A4',
      margins: opts.margins,
      info: opts.info,
      bufferPages: opts.bufferPages ?? false,
      compress: true,
    });
    const chunks: Buffer[] = [];
    doc.on('data', (b: Buffer) => chunks.push(b));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
    try {
      doc.registerFont('cjk', font.path, font.family);
      doc.font('cjk');
      draw(doc);
      doc.end();
    } catch (err) {
      reject(err instanceof Error ? err : new Error(String(err)));
    }
  });
}
