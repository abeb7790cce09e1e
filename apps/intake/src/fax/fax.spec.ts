import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { makePdf, makeTiff } from '../../test-fixtures/mail/builders';
import { decide, type MailDecision } from '../mailbox/mail-decision';
import { parseMessage } from '../mailbox/mail-parse';
import { detectFax } from './fax-detector';
import { readPdf } from './pdf-text';
import { tiffPageCount } from './tiff-pages';

const fixtures = join(__dirname, '../../test-fixtures/mail');
const noCases = { byMessageIds: () => Promise.resolve(null), byNumbers: () => Promise.resolve(null) };
async function faxCase(file: string) {
  const raw = readFileSync(join(fixtures, file));
  const d: MailDecision = await decide(raw, {
    maxBytes: 25 * 1024 * 1024,
    size: raw.length,
    truncated: false,
    lookup: noCases,
  });
  if (d.kind !== 'case' || !d.fax) throw new Error(`${file} was not taken for a fax: ${d.kind}`);
  return d as typeof d & { fax: NonNullable<typeof d.fax> };
}

describe('TIFF page count (IFD chain)', () => {
  it.each([
    ['II', 1],
    ['II', 7],
    ['MM', 1],
    ['MM', 5],
  ] as const)('counts a %s TIFF of %i page(s)', (order, pages) => {
    expect(tiffPageCount(makeTiff(pages, order))).toBe(pages);
  });

  it('stops at a loop, a truncated file and non-TIFF bytes', () => {
    const looped = makeTiff(3, 'II');
    // Point the last IFD's "next" back at the first one.
    const ifdSize = 2 + 10 * 12 + 4;
    const pageSize = ifdSize + 16 + 128;
    looped.writeUInt32LE(8, 8 + 2 * pageSize + 2 + 10 * 12);
    expect(tiffPageCount(looped)).toBe(3);
    expect(tiffPageCount(makeTiff(4, 'MM').subarray(0, 8 + pageSize + 20))).toBe(1);
    expect(tiffPageCount(Buffer.from('%PDF-1.4'))).toBeNull();
  });
});

describe('PDF text layer (pdf-parse in a worker, also under jest)', () => {
  it('reads pages and Chinese text', async () => {
    const pdf = await readPdf(makePdf([{ lines: ['投诉：3栋2单元1502 卫生间漏水'] }, { lines: null }]));
    expect(pdf).toEqual({ pages: 2, text: '投诉：3栋2单元1502 卫生间漏水' });
  });

  it('rejects a broken PDF with a reason instead of hanging', async () => {
    await expect(readPdf(Buffer.from('%PDF-1.4 nonsense'))).rejects.toThrow(/unreadable PDF/);
  });
});

describe('fax-to-email gateways', () => {
  it('HylaFAX faxrcvd with a text PDF: the text layer is the description, number from CallID1, station from Sender', async () => {
    const d = await faxCase('fax-hylafax-pdf.eml');
    expect(d.channel).toBe('fax');
    expect(d.fax.match).toMatchObject({
      rule: { id: 'hylafax' },
      station: '+86 755 8334 5678',
      number: '075583345678',
      pagesClaimed: 2,
    });
    expect(d.fax.doc).toMatchObject({ pages: 2, problem: null });
    expect(d.description).toMatch(/^致碧海云天客服部：\n我是3栋2单元1502业主王先生/);
    expect(d.reporter.phones).toEqual(['075583345678']);
  });

  it('HylaFAX with a big-endian multi-page TIFF: pages counted from the IFDs', async () => {
    const d = await faxCase('fax-hylafax-tiff.eml');
    expect(d.fax.match).toMatchObject({ station: 'BHYT WUYE OFFICE', number: '075526881234', kind: 'tiff' });
    expect(d.fax.doc.pages).toBe(3);
    expect(d.description).toBe('传真 3 页，来自 BHYT WUYE OFFICE（075526881234）（HylaFAX），请查看附件。');
  });

  it('eFax with a scanned PDF (no text layer): a description that sends staff to the attachment', async () => {
    const d = await faxCase('fax-efax-pdf.eml');
    expect(d.fax.match).toMatchObject({ rule: { id: 'efax' }, station: null, number: '075583345678', pagesClaimed: 3 });
    expect(d.fax.doc).toMatchObject({ pages: 3, text: null });
    expect(d.description).toBe('传真 3 页，来自 075583345678（eFax），请查看附件。');
  });

  it('RingCentral and FusionPBX (PDF as octet-stream; the TIFF fallback, little-endian)', async () => {
    const rc = await faxCase('fax-ringcentral-pdf.eml');
    expect(rc.fax.match).toMatchObject({ rule: { id: 'ringcentral' }, number: '+8675526881234', pagesClaimed: 2 });
    expect(rc.description).toContain('卫生间漏水至楼下');
    const fpdf = await faxCase('fax-fusionpbx-pdf.eml');
    expect(fpdf.fax.match).toMatchObject({
      rule: { id: 'fusionpbx' },
      number: '075583345678',
      station: null,
      kind: 'pdf',
    });
    const ftif = await faxCase('fax-fusionpbx-tiff.eml');
    expect(ftif.fax.doc.pages).toBe(4);
    expect(ftif.description).toBe('传真 4 页，来自 02161234567（FusionPBX/FreeSWITCH），请查看附件。');
  });

  it('needs sender, subject and a PDF/TIFF: the same subject from an owner, or without a document, is mail', async () => {
    const hylafax = readFileSync(join(fixtures, 'fax-hylafax-pdf.eml')).toString('latin1');
    const fromOwner = await parseMessage(
      Buffer.from(hylafax.replace('The HylaFAX Receive Agent <fax@fax.kefu.example>', 'owner@example.com'), 'latin1'),
    );
    expect(detectFax(fromOwner)).toBeNull();
    const noDocument = await parseMessage(
      Buffer.from(
        'From: The HylaFAX Receive Agent <fax@x>\r\nSubject: Facsimile received from X\r\nMessage-ID: <f@x>\r\n\r\nno attachment\r\n',
      ),
    );
    expect(detectFax(noDocument)).toBeNull();
  });
});
