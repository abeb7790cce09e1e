import { stringify } from 'csv-stringify/sync';

export type CsvValue = string | number | null | undefined;

/**
 * CSV for Excel, the one writer of every export: UTF-8 with a BOM (Excel on Chinese Windows reads a
 * file without one as GBK), CRLF lines, quoted where needed. A text cell starting with = + - @, a tab,
 * a CR or a full-width ＝ ＋ － ＠ gets a leading ' so a spreadsheet shows it rather than runs it as a
 * formula (OWASP "CSV injection"); numbers, negative ones included, are written as they are.
 */
export function excelCsv(rows: readonly (readonly CsvValue[])[]): string {
  return stringify(
    rows.map((r) => [...r]),
    {
      bom: true,
      record_delimiter: 'windows',
      // With record_delimiter set, csv-stringify would otherwise leave a cell holding a lone '\n' unquoted.
      quote_record_delimiter: true,
      escape_formulas: true,
    },
  );
}
