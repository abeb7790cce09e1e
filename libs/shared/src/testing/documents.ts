import { spawnSync } from 'node:child_process';
import ExcelJS from 'exceljs';

/**
 * A PDF's text layer and page count, read by pdf-parse in a child process (pdf.js loads its worker with a native
 * import jest cannot host). Whitespace is removed from the text, so assertions need not guess line breaks.
 */
export function pdfText(pdf: Buffer): { pages: number; text: string } {
  const script = `const { PDFParse } = require(${JSON.stringify(require.resolve('pdf-parse'))});
    const chunks = []; process.stdin.on('data', (c) => chunks.push(c)).on('end', async () => {
      const p = new PDFParse({ data: new Uint8Array(Buffer.concat(chunks)), verbosity: 0 });
      const t = await p.getText(); process.stdout.write(JSON.stringify({ pages: t.total, text: t.text })); await p.destroy(); });`;
  const r = spawnSync(process.execPath, ['-e', script], { input: pdf, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(r.stderr);
  const { pages, text } = JSON.parse(r.stdout) as { pages: number; text: string };
  return { pages, text: text.replace(/\s+/g, '') };
}

export interface SheetContent {
  name: string;
  /** The frozen rows at the top (views[0].ySplit). */
  frozenRows: number;
  /** Every row's cell values, row 1 (the headers) first. */
  rows: unknown[][];
  /** Each column's number format, by header. */
  numFmt: Record<string, string | undefined>;
}

/** Opens an XLSX with exceljs and reads every sheet back. */
export async function readXlsx(xlsx: Buffer): Promise<SheetContent[]> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(xlsx);
  return wb.worksheets.map((ws) => {
    const rows: unknown[][] = [];
    ws.eachRow((row) => rows.push((row.values as unknown[]).slice(1)));
    const numFmt: Record<string, string | undefined> = {};
    (rows[0] ?? []).forEach((h, i) => (numFmt[String(h)] = ws.getRow(2).getCell(i + 1).numFmt));
    const view = ws.views[0] as { ySplit?: number } | undefined;
    return { name: ws.name, frozenRows: view?.ySplit ?? 0, rows, numFmt };
  });
}
