import { renderA4Pdf, type PdfFont } from '../pdf/a4-pdf';
import type { ReportData } from './report-data';
import { show, type Cell, type ReportSection } from './report-sections';

const MARGIN = 48;
const ROW_H = 18;

/**
 * The report as an A4 PDF for printing (what a GM reads): title, period, when the figures were taken, then each
 * section as a table (the PDF's columns), a bar chart where the section asks for one, and 第 n 页 / 共 m 页 on every
 * page. The CJK font (the letters' font, LETTER_FONT_PATH) is embedded as a subset with its text layer.
 */
export function renderReportPdf(data: ReportData, sections: ReportSection[], font: PdfFont): Promise<Buffer> {
  const margins = { top: MARGIN, bottom: MARGIN, left: MARGIN, right: MARGIN };
  const info = { Title: `${data.title} ${data.periodLabel}`, Author: '客户服务部', CreationDate: new Date(data.asOf) };
  return renderA4Pdf({ margins, info, bufferPages: true }, font, (doc) => {
    const width = doc.page.width - 2 * MARGIN;
    doc.fontSize(20).text(data.title, { align: 'center', width });
    doc.moveDown(0.3).fontSize(12).text(`报告期：${data.periodLabel}`, { align: 'center', width });
    doc.fontSize(9).text(`统计时间：${localTime(data.asOf, data.timeZone)}（${data.timeZone}）`, {
      align: 'center',
      width,
    });
    doc.moveDown(1);
    for (const s of sections) {
      table(doc, s, width);
      if (s.chart && s.rows.length) barChart(doc, s, width);
      doc.moveDown(1);
    }
    const range = doc.bufferedPageRange();
    for (let i = range.start; i < range.start + range.count; i++) {
      doc.switchToPage(i);
      const bottom = doc.page.margins.bottom;
      doc.page.margins.bottom = 0; // writing in the margin must not open a new page
      doc
        .fontSize(8)
        .text(`第 ${i + 1} 页 / 共 ${range.count} 页`, MARGIN, doc.page.height - 32, { align: 'center', width });
      doc.page.margins.bottom = bottom;
    }
  });
}

function ensureRoom(doc: PDFKit.PDFDocument, h: number): void {
  if (doc.y + h > doc.page.height - MARGIN - 16) doc.addPage();
}

function table(doc: PDFKit.PDFDocument, s: ReportSection, width: number): void {
  const cols = s.columns.filter((c) => c.inPdf);
  const firstW = cols.length > 6 ? 110 : width / cols.length;
  const otherW = cols.length > 1 ? (width - firstW) / (cols.length - 1) : 0;
  const xs = cols.map((_, i) => MARGIN + (i === 0 ? 0 : firstW + (i - 1) * otherW));
  const ws = cols.map((_, i) => (i === 0 ? firstW : otherW));
  ensureRoom(doc, 24 + ROW_H * 3);
  doc.fontSize(13).text(s.title, MARGIN, doc.y, { width });
  doc.moveDown(0.3);
  const line = (cells: string[], bold: boolean) => {
    ensureRoom(doc, ROW_H);
    const y = doc.y;
    if (bold) doc.save().rect(MARGIN, y, width, ROW_H).fill('#eeeeee').restore();
    doc.fillColor('black').fontSize(8.5);
    cells.forEach((c, i) =>
      doc.text(c, xs[i]! + 3, y + 5, {
        width: ws[i]! - 6,
        height: ROW_H,
        align: i === 0 ? 'left' : 'right',
        lineBreak: false,
      }),
    );
    doc
      .moveTo(MARGIN, y + ROW_H)
      .lineTo(MARGIN + width, y + ROW_H)
      .lineWidth(0.3)
      .strokeColor('#999999')
      .stroke();
    doc.strokeColor('black');
    doc.x = MARGIN;
    doc.y = y + ROW_H;
  };
  line(
    cols.map((c) => c.header),
    true,
  );
  const cell = (r: Record<string, Cell>) =>
    cols.map((c) => {
      const v = r[c.key];
      return typeof v === 'number' ? show(v, c.format) : v === null || v === undefined ? '—' : String(v);
    });
  if (!s.rows.length) line(['（无）', ...cols.slice(1).map(() => '')], false);
  for (const r of s.rows) line(cell(r), false);
  if (s.totals) line(cell(s.totals), true);
}

/** Horizontal bars of one count per row, labelled, scaled to the largest. */
function barChart(doc: PDFKit.PDFDocument, s: ReportSection, width: number): void {
  const chart = s.chart!;
  const first = s.columns[0]!.key;
  const bars = s.rows.map((r) => ({ label: String(r[first] ?? '—'), value: Number(r[chart.valueKey] ?? 0) }));
  const max = Math.max(1, ...bars.map((b) => b.value));
  const barH = 14;
  ensureRoom(doc, 30 + bars.length * (barH + 6));
  doc.moveDown(0.6).fontSize(10).text(chart.title, MARGIN, doc.y, { width });
  let y = doc.y + 4;
  const labelW = 110;
  const scale = (width - labelW - 50) / max;
  for (const b of bars) {
    doc
      .fontSize(8.5)
      .fillColor('black')
      .text(b.label, MARGIN, y + 3, { width: labelW - 6, lineBreak: false });
    doc
      .save()
      .rect(MARGIN + labelW, y, Math.max(1, b.value * scale), barH)
      .fill('#3b6fb6')
      .restore();
    doc.fillColor('black').text(String(b.value), MARGIN + labelW + b.value * scale + 4, y + 3, { lineBreak: false });
    y += barH + 6;
  }
  doc.x = MARGIN;
  doc.y = y;
}

/** An instant as the business time zone's wall clock, e.g. `2026-12-08 03:11` for 2026-12-07T19:11Z in Shanghai. */
function localTime(iso: string, timeZone: string): string {
  return new Intl.DateTimeFormat('sv-SE', { timeZone, dateStyle: 'short', timeStyle: 'short' }).format(new Date(iso));
}
