import type { MailPart, ParsedMessage } from '../mailbox/mail-parse';
import { faxGatewayRules, type FaxGatewayRule } from './fax-gateway.rules';
import { readPdf } from './pdf-text';
import { tiffPageCount } from './tiff-pages';

export interface FaxMatch {
  rule: FaxGatewayRule;
  /** The sending machine's station id (TSI) or the name the gateway shows, when it is not just the number. */
  station: string | null;
  /** The sender's fax number, digits (and a leading +) only. */
  number: string | null;
  /** Pages the gateway reports (the document's own count wins). */
  pagesClaimed: number | null;
  document: MailPart;
  kind: 'pdf' | 'tiff';
}

export interface FaxDocument {
  pages: number | null;
  /** The PDF's text layer, when it has a real one. */
  text: string | null;
  /** Why the document could not be read (it is kept regardless). */
  problem: string | null;
}

function documentKind(a: MailPart): 'pdf' | 'tiff' | null {
  const name = a.filename.toLowerCase();
  if (a.contentType === 'application/pdf' || (a.contentType === 'application/octet-stream' && name.endsWith('.pdf')))
    return 'pdf';
  if (/^image\/tiff?$/.test(a.contentType) || (a.contentType === 'application/octet-stream' && /\.tiff?$/.test(name)))
    return 'tiff';
  if (a.content.subarray(0, 5).toString('latin1') === '%PDF-') return 'pdf';
  return null;
}

function cleanNumber(v: string | undefined | null): string | null {
  if (!v) return null;
  const digits = v.replace(/[^\d+]/g, '').replace(/(?!^)\+/g, '');
  return digits.replace(/\D/g, '').length >= 5 ? digits : null;
}

const unknownStation = /^(?:unknown|unavailable|anonymous|private|未知)?$/i;

/** The gateway rule this mail matches (sender, subject and a PDF/TIFF attachment), or null when it is not a fax. */
export function detectFax(m: ParsedMessage, rules: FaxGatewayRule[] = faxGatewayRules): FaxMatch | null {
  const from = `${m.from?.name ?? ''} <${m.from?.address ?? ''}>`;
  const document = m.attachments.find((a) => documentKind(a) !== null);
  if (!document) return null;
  for (const rule of rules) {
    if (!rule.sender.test(from)) continue;
    const groups = rule.subject.map((re) => re.exec(m.subject)).find((x) => x)?.groups;
    if (!groups) continue;
    const fromBody = (re?: RegExp, name = '') => (re ? re.exec(m.text)?.groups?.[name] : undefined);
    const stationRaw = (groups.station ?? fromBody(rule.body?.station, 'station') ?? '').trim();
    const number =
      cleanNumber(groups.number) ?? cleanNumber(fromBody(rule.body?.number, 'number')) ?? cleanNumber(stationRaw);
    const pages = Number(groups.pages ?? fromBody(rule.body?.pages, 'pages') ?? NaN);
    // A station id that is only the number again adds nothing; "unknown" is no station at all.
    const station =
      unknownStation.test(stationRaw) || cleanNumber(stationRaw) === number ? null : stationRaw.slice(0, 100);
    return {
      rule,
      station,
      number,
      pagesClaimed: Number.isFinite(pages) ? pages : null,
      document,
      kind: documentKind(document)!,
    };
  }
  return null;
}

/** Page count (PDF via pdf-parse, TIFF by its IFD chain) and the PDF text layer. Never throws. */
export async function readFaxDocument(match: FaxMatch): Promise<FaxDocument> {
  if (match.kind === 'tiff') {
    const pages = tiffPageCount(match.document.content);
    return { pages: pages ?? match.pagesClaimed, text: null, problem: pages === null ? 'not a readable TIFF' : null };
  }
  try {
    const pdf = await readPdf(match.document.content);
    // Scanned pages sometimes carry a few stray OCR glyphs: only real text counts as a text layer.
    const text = pdf.text.replace(/\s+/g, '').length >= 4 ? pdf.text : null;
    return { pages: pdf.pages, text, problem: null };
  } catch (err) {
    return { pages: match.pagesClaimed, text: null, problem: err instanceof Error ? err.message : String(err) };
  }
}

/** Who sent it, for people: station id and number as the gateway reported them. */
export function faxSender(match: FaxMatch): string {
  if (match.station && match.number) return `${match.station}（${match.number}）`;
  return match.station ?? match.number ?? '未知号码';
}

/** The case description: the text layer when there is one, else a line that sends staff to the attachment. */
export function faxDescription(match: FaxMatch, doc: FaxDocument): string {
  if (doc.text) return doc.text;
  const pages = doc.pages ?? match.pagesClaimed;
  return `传真${pages ? ` ${pages} 页` : ''}，来自 ${faxSender(match)}（${match.rule.gateway}），请查看附件。`;
}
