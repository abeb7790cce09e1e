import ExcelJS from 'exceljs';
import { excelCsv } from '@kefu/shared';
import type { WriteupRow } from './case-writeups.service';

const HEADERS = [
  '案例编号',
  '标题',
  '楼盘',
  '问题',
  '原因',
  '处理',
  '经验教训',
  '标签',
  '撰写人',
  '分享部门',
  '更新时间',
];
const WIDTHS = [22, 24, 14, 40, 40, 40, 40, 16, 10, 20, 18];

const shanghai = (d: Date | string) =>
  new Intl.DateTimeFormat('sv-SE', {
    timeZone: 'Asia/Shanghai',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
  }).format(new Date(d));

function cells(w: WriteupRow): string[] {
  return [
    w.caseNumber,
    w.title,
    w.estate ?? '',
    w.problem,
    w.cause,
    w.handling,
    w.lesson,
    w.tags.join('、'),
    w.author ?? '',
    w.sharedWith.map((s) => s.name).join('、'),
    shanghai(w.updatedAt),
  ];
}

/** The case library as CSV for Excel (the repo's one formula-safe writer). */
export function writeupsCsv(rows: readonly WriteupRow[]): string {
  return excelCsv([HEADERS, ...rows.map(cells)]);
}

/** The case library as a workbook: one sheet 典型案例, Chinese headers, frozen header row, wrapped text. */
export async function writeupsXlsx(rows: readonly WriteupRow[]): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'Kefu 客服';
  const ws = wb.addWorksheet('典型案例', { views: [{ state: 'frozen', ySplit: 1 }] });
  ws.columns = HEADERS.map((header, i) => ({ header, width: WIDTHS[i] }));
  ws.getRow(1).font = { bold: true };
  // Text cells starting with = would be formulas in a CSV; in a workbook a string value is always a string.
  for (const w of rows) ws.addRow(cells(w)).alignment = { wrapText: true, vertical: 'top' };
  ws.autoFilter = { from: { row: 1, column: 1 }, to: { row: 1, column: HEADERS.length } };
  return Buffer.from(await wb.xlsx.writeBuffer());
}
