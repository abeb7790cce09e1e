import { excelCsv, maskText } from '@kefu/shared';

/** One recipient's line of the sign-off record, as signOffSql reads it. */
export interface SignOffRow {
  seq: number;
  unit: string;
  owner: string;
  excluded: string | null;
  channel: string | null;
  status: string | null;
  to_address: string | null;
  sent_at: Date | null;
  delivered_at: Date | null;
  signer: string | null;
  signed_at: Date | null;
  error: string | null;
}

const channelName: Record<string, string> = { sms: '短信', email: '邮件', letter: 'EMS信件' };
const exclusionName: Record<string, string> = {
  erased: '已删除个人信息',
  no_contact: '无联系方式',
  opted_out: '已退订',
};

/** The sign-off record as Excel CSV: a title line, the header, one line per recipient (addresses masked, times in `tz`). */
export function signOffSheet(
  n: { estateName: string; kindName: string; title: string; reference: string },
  rows: SignOffRow[],
  tz: string,
): string {
  const fmt = (d: Date | null) =>
    d ? new Intl.DateTimeFormat('sv-SE', { timeZone: tz, dateStyle: 'short', timeStyle: 'medium' }).format(d) : null;
  return excelCsv([
    [`${n.estateName} ${n.kindName}：${n.title}（编号${n.reference}）`],
    ['序号', '房号', '业主', '方式', '状态', '地址/号码', '发送时间', '送达时间', '签收人', '签收时间', '未发送原因'],
    ...rows.map((r) => [
      r.seq,
      r.unit,
      r.owner,
      r.channel ? (channelName[r.channel] ?? r.channel) : null,
      r.status,
      r.to_address ? maskText(r.to_address) : null,
      fmt(r.sent_at),
      fmt(r.delivered_at),
      r.signer,
      fmt(r.signed_at),
      r.excluded ? exclusionName[r.excluded] : r.error,
    ]),
  ]);
}
