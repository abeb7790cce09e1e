import { noticesCsv, type NoticeRow } from './warranty.service';

const row = (overrides: Partial<NoticeRow> = {}): NoticeRow => ({
  id: 'n1',
  unitId: 'u1',
  unitLabel: '3栋2单元1501',
  itemCode: 'ROOF',
  itemName: '屋面防水',
  handoverDate: '2021-08-10',
  expiresOn: '2026-08-10',
  dueOn: '2026-06-10',
  status: 'sent',
  late: false,
  owners: 2,
  createdAt: '2026-06-10T01:00:00.000Z',
  ...overrides,
});

describe('noticesCsv', () => {
  it('writes Excel CSV: BOM, Chinese headers, CRLF', () => {
    expect(noticesCsv([row()])).toBe(
      '\uFEFF房号,保修项目,交付日期,保修到期日,通知日期,业主数,状态,补发\r\n' +
        '3栋2单元1501,屋面防水,2021-08-10,2026-08-10,2026-06-10,2,已通知,\r\n',
    );
  });

  it('neutralises a formula in a catalogue item name so Excel shows it rather than runs it', () => {
    const lines = noticesCsv([row({ itemName: "=cmd|' /C calc'!A0", late: true, status: 'superseded' })]).split('\r\n');
    expect(lines[1]).toBe("3栋2单元1501,'=cmd|' /C calc'!A0,2021-08-10,2026-08-10,2026-06-10,2,已作废,是");
  });
});
