import { signOffSheet, type SignOffRow } from './notice-sign-off';

const row = (over: Partial<SignOffRow>): SignOffRow => ({
  seq: 1,
  unit: '1栋101',
  owner: '张三',
  excluded: null,
  channel: 'sms',
  status: 'delivered',
  to_address: '13812341234',
  sent_at: new Date('2026-03-01T01:00:00Z'),
  delivered_at: new Date('2026-03-01T01:00:05Z'),
  signer: null,
  signed_at: null,
  error: null,
  ...over,
});

describe('signOffSheet', () => {
  const notice = { estateName: '阳光花园', kindName: '停水通知', title: '周六停水', reference: 'N-1' };

  it('names the channel, masks the number and writes times in the business zone', () => {
    const csv = signOffSheet(notice, [row({})], 'Asia/Shanghai');
    expect(csv).toContain('阳光花园 停水通知：周六停水（编号N-1）');
    expect(csv).toContain('短信');
    expect(csv).toContain('138****1234');
    expect(csv).not.toContain('13812341234');
    expect(csv).toContain('2026-03-01 09:00:00');
  });

  it('gives a left-out owner the reason, and a failed one the error code', () => {
    const csv = signOffSheet(
      notice,
      [
        row({ seq: 1, excluded: 'opted_out', channel: null, status: null, to_address: null, sent_at: null }),
        row({ seq: 2, status: 'failed', error: 'invalid_number', delivered_at: null }),
      ],
      'Asia/Shanghai',
    );
    expect(csv).toContain('已退订');
    expect(csv).toContain('invalid_number');
  });
});
