import iconv from 'iconv-lite';
import { decodeCsv } from './csv-decode';
import { excelCsv } from './csv-write';

describe('excelCsv', () => {
  it('writes a BOM, CRLF lines and quotes only where needed', () => {
    const csv = excelCsv([
      ['房号', '备注'],
      ['3栋2单元1502', 'a,b'],
      ['say "hi"', 'two\nlines'],
      [1, null],
    ]);
    expect(csv).toBe('\uFEFF房号,备注\r\n3栋2单元1502,"a,b"\r\n"say ""hi""","two\nlines"\r\n1,\r\n');
  });

  it.each([
    ["=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0"],
    ['+1+1', "'+1+1"],
    ['-2+3', "'-2+3"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['\tx', "'\tx"],
    ['＝1+1', "'＝1+1"],
  ])('neutralises a formula cell %j', (value, written) => {
    expect(excelCsv([[value]])).toBe(`\uFEFF${written}\r\n`);
  });

  it('neutralises a formula that also needs quoting, and leaves numbers and inner signs alone', () => {
    expect(excelCsv([['=HYPERLINK("http://x","y")', -5, 'a-b=c']])).toBe(
      '\uFEFF"\'=HYPERLINK(""http://x"",""y"")",-5,a-b=c\r\n',
    );
  });
});

describe('decodeCsv', () => {
  const text = '楼盘,楼栋\n碧海云天,3栋';

  it('reads UTF-8 with or without a BOM, and drops the BOM', () => {
    expect(decodeCsv(Buffer.from(text, 'utf8'))).toEqual({ text, encoding: 'utf-8' });
    const bom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text, 'utf8')]);
    expect(decodeCsv(bom)).toEqual({ text, encoding: 'utf-8' });
  });

  it('reads what Excel on Chinese Windows saves (GBK) as GB18030', () => {
    const gbk = iconv.encode(text, 'gbk');
    expect(() => new TextDecoder('utf-8', { fatal: true }).decode(gbk)).toThrow();
    expect(decodeCsv(gbk)).toEqual({ text, encoding: 'gb18030' });
  });
});
