import QRCode from 'qrcode';
import { forChannel, letterQrUrl, renderTemplate } from '../notifications/templates';
import { renderLetterPdf } from './letter-pdf';

const url = 'https://kefu.example.com/survey/AbCdEfGhIjKlMnOpQrStUvWxYz0123456789_-abc';
const variables = {
  estateName: '碧海云天',
  unitLabel: '3栋2单元1502',
  title: '业主满意度调查',
  surveyUrl: url,
  expiresOn: '2026-07-10',
  reminder: false,
  questions: [
    { label: '您对公司产品和服务的总体表现是否满意？', scale: true },
    { label: '您的意见和建议', scale: false },
  ],
};

describe('survey invitation by SMS, email and EMS letter', () => {
  it('sends the link by SMS and email, and prints the paper form only in a letter', () => {
    const r = renderTemplate('survey_invitation', variables, '张三');
    const sms = forChannel('sms', r, '【碧海物业】').body;
    expect(sms).toContain(url);
    expect(sms).toContain('2026年7月10日前填写');
    expect(sms).not.toContain('□5');
    expect(forChannel('email', r, '').body).not.toContain('□5');
    const letter = forChannel('letter', r, '').body;
    expect(letter).toContain('1. 您对公司产品和服务的总体表现是否满意？    □5  □4  □3  □2  □1');
    expect(letter).toContain('2. 您的意见和建议');
    const reminder = renderTemplate('survey_invitation', { ...variables, reminder: true, questions: null }, null);
    expect(reminder.subject).toContain('【提醒】');
    expect(reminder.text).toContain('还没有收到');
  });

  it('prints the link as a QR code on the letter', async () => {
    expect(letterQrUrl('survey_invitation', variables)).toBe(url);
    expect(letterQrUrl('warranty_expiry', variables)).toBeNull();
    const r = forChannel('letter', renderTemplate('survey_invitation', variables, '张三'), '');
    const content = {
      letterhead: { companyName: '客户服务部', address: '', hotline: '' },
      recipient: { name: '张三', address: '深圳市南山区测试路1号', postcode: '518000' },
      subject: r.subject,
      body: r.body,
      reference: 'KF000000000001',
      date: new Date('2026-06-10T02:00:00Z'),
      timeZone: 'Asia/Shanghai',
    };
    const font = { path: '/usr/share/fonts/truetype/wqy/wqy-microhei.ttc', family: 'WenQuanYiMicroHei' };
    const [withQr, without] = await Promise.all([
      renderLetterPdf({ ...content, qrUrl: url }, font),
      renderLetterPdf(content, font),
    ]);
    expect(withQr.subarray(0, 5).toString()).toBe('%PDF-');
    // The code's dark modules are drawn as squares: the letter grows by their drawing, a few KB at most.
    const dark = QRCode.create(url, { errorCorrectionLevel: 'M' }).modules.data.filter(Boolean).length;
    expect(dark).toBeGreaterThan(200);
    expect(withQr.length).toBeGreaterThan(without.length);
    expect(withQr.length - without.length).toBeLessThan(20_000);
  });
});
