import ExcelJS from 'exceljs';
import type { ReportData } from './report-data';
import type { ReportSection } from './report-sections';

const numFmt = { int: '#,##0', pct: '0.0%', text: '@' } as const;

/**
 * The report as a workbook: a sheet per section (Chinese headers, the header row frozen, counts as #,##0 and rates
 * as 0.0%, a bold 合计 line), then 说明 with the title, period and when the figures were taken.
 */
export async function renderReportXlsx(data: ReportData, sections: ReportSection[]): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = '客户服务部';
  wb.title = `${data.title} ${data.periodLabel}`;
  wb.created = new Date(data.asOf);
  const used = new Set<string>();
  for (const s of sections) {
    // Excel: at most 31 characters, none of []:*?/\, unique.
    let name = s.title.replace(/[[\]:*?/\\]/g, ' ').slice(0, 31);
    for (let i = 2; used.has(name); i++) name = `${s.title.slice(0, 28)}(${i})`;
    used.add(name);
    const ws = wb.addWorksheet(name, { views: [{ state: 'frozen', ySplit: 1 }] });
    ws.columns = s.columns.map((c) => ({
      header: c.header,
      key: c.key,
      width: c.format === 'text' ? Math.max(12, c.header.length * 2 + 4) : Math.max(10, c.header.length * 2 + 2),
      style: { numFmt: numFmt[c.format] },
    }));
    ws.getRow(1).font = { bold: true };
    ws.getRow(1).alignment = { vertical: 'middle', horizontal: 'center', wrapText: true };
    for (const r of s.rows) ws.addRow(r);
    if (s.totals) ws.addRow(s.totals).font = { bold: true };
  }
  const about = wb.addWorksheet('说明', { views: [{ state: 'frozen', ySplit: 1 }] });
  about.columns = [
    { header: '项目', key: 'k', width: 16 },
    { header: '内容', key: 'v', width: 60 },
  ];
  about.getRow(1).font = { bold: true };
  about.addRows([
    { k: '报告', v: data.title },
    { k: '报告期', v: `${data.periodLabel}（${data.from} 至 ${data.to}，不含）` },
    { k: '时区', v: data.timeZone },
    { k: '统计时间', v: data.asOf },
    { k: '口径', v: '有效投诉：投诉、报修、索赔中受理为有效的案件，按收到时间计入报告期' },
  ]);
  return Buffer.from(await wb.xlsx.writeBuffer());
}
