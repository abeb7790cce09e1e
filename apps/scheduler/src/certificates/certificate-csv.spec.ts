import { parseBatchCsv } from './certificate-csv';
import { maskIdNumber, residentIdValid } from './id-mask';

describe('certificate CSV', () => {
  const text =
    '楼盘编码,楼栋,单元,房号,领取地点,办理时间,所需资料,开始日期,截止日期\nBHYT01,3栋,2,1501,售楼处二楼财务室,工作日 9:00-17:00,身份证;购房合同,2026-10-12,2026-12-31\n';

  it('maps Chinese or English headers and names missing columns', () => {
    const { rows, problems } = parseBatchCsv(text);
    expect(problems).toEqual([]);
    expect(rows[0]).toEqual({
      line: 2,
      values: expect.objectContaining({
        estate: 'BHYT01',
        building: '3栋',
        entrance: '2',
        room: '1501',
        documents: '身份证;购房合同',
        deadline: '2026-12-31',
        reference: '',
      }),
    });
    const missing = parseBatchCsv('estate,room,place\nBHYT01,1501,x\n');
    expect(missing.problems.map((p) => p.field)).toEqual(['building', 'hours', 'documents', 'fromDate', 'deadline']);
    expect(missing.problems.every((p) => p.line === 1)).toBe(true);
  });
});

describe('ID numbers', () => {
  it('checks resident IDs and keeps only their ends', () => {
    expect(residentIdValid('11010519491231002X')).toBe(true);
    expect(residentIdValid('110105194912310021')).toBe(false);
    expect(maskIdNumber('resident_id', '110105 19491231 002x')).toEqual({ masked: '1101**********002X' });
    expect(maskIdNumber('resident_id', '110105194912310021')).toEqual({
      error: expect.stringContaining('resident ID'),
    });
    expect(maskIdNumber('passport', 'E12345678')).toEqual({ masked: 'E1*****78' });
  });
});
