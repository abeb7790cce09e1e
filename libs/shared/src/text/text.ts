// Text folding shared by the normalisers. Every fold maps one UTF-16 unit to one, so an index in
// the folded text is the same index in the original (unit refs quote the original text).

// Traditional → simplified, only for characters our keywords and unit patterns use: one seed and
// some owners (HK, Taiwan) write traditional. Pairs of characters: traditional then simplified.
const TRAD_PAIRS =
  '報报維维賠赔償偿訴诉諮咨詢询請请問问議议觸触電电氣气燒烧災灾傷伤險险業业設设計计規规劃划銷销貸贷' +
  '樓楼單单號号棟栋層层門门縫缝脫脱滲渗閘闸態态應应環环邊边聲声車车場场費费綠绿養养護护潔洁聯联繫系' +
  '處处沒没無无鄰邻擾扰屢屡復复幾几損损慘惨採采戶户積积顧顾諾诺傳传質质滿满勁劲麼么時时辦办證证瞭了' +
  '見见燈灯開开關关壞坏爛烂鬧闹讓让給给們们會会對对這这個个來来還还說说話话點点為为從从兩两實实現现' +
  '發发監监衛卫區区務务熱热線线調调標标準准訂订認认購购網网簽签產产權权稅税價价塵尘斷断幫帮檢检騙骗' +
  '諉诿嚴严醫医頂顶磚砖牆墙墻墙鎖锁鑰钥總总經经陽阳臺台廳厅廚厨預预約约遲迟緩缓錢钱額额補补賣卖買买' +
  '錯错誤误謝谢煩烦聽听蟲虫濕湿黴霉蓋盖頭头裏里裡里後后週周與与於于該该過过進进遞递寶宝園园圍围欄栏' +
  '衝冲廁厕塊块鋼钢鐵铁鋁铝體体歲岁紀纪錄录續续齊齐壓压嗎吗啟启動动屬属級级極极聞闻糞粪盡尽儘尽淨净' +
  '樣样條条東东內内兒儿雙双裝装溝沟萬万億亿竊窃盜盗執执導导團团隊队貼贴鬆松間间';

const simplified = new Map<string, string>();
for (let i = 0; i + 1 < TRAD_PAIRS.length; i += 2) {
  const from = TRAD_PAIRS[i]!;
  const to = TRAD_PAIRS[i + 1]!;
  if (from !== to) simplified.set(from, to);
}

/** The traditional → simplified pairs, for tests. */
export const traditionalPairs: ReadonlyMap<string, string> = simplified;

// Dashes people type between digit groups: hyphen, figure dash, en/em dash, horizontal bar, minus.
const DASHES = new Set(['\u2010', '\u2011', '\u2012', '\u2013', '\u2014', '\u2015', '\u2212']);

function foldChar(ch: string): string {
  const code = ch.charCodeAt(0);
  // Full-width ASCII block (１, Ａ, （, －, ＋, ＃) → ASCII.
  if (code >= 0xff01 && code <= 0xff5e) return String.fromCharCode(code - 0xfee0);
  if (code === 0x3000 || code === 0x00a0 || ch === '\t') return ' ';
  if (DASHES.has(ch)) return '-';
  return simplified.get(ch) ?? ch;
}

/**
 * Full-width → ASCII, odd spaces → ' ', dash variants → '-', the traditional characters we know →
 * simplified. Same length as the input, index for index. Case is kept.
 */
export function foldText(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i += 1) out += foldChar(text[i]!);
  return out;
}

const CN_DIGITS: Readonly<Record<string, number>> = {
  一: 1,
  二: 2,
  两: 2,
  三: 3,
  四: 4,
  五: 5,
  六: 6,
  七: 7,
  八: 8,
  九: 9,
};

/** '三' → 3, '十' → 10, '十二' → 12, '二十' → 20, '二十三' → 23; null for anything else (up to 99). */
export function chineseNumeral(s: string): number | null {
  const m = /^([一二两三四五六七八九])?(十)?([一二两三四五六七八九])?$/.exec(s);
  if (!m || s === '') return null;
  const [, a, ten, b] = m;
  const digit = (c: string | undefined): number => (c === undefined ? 0 : (CN_DIGITS[c] ?? 0));
  if (!ten) return a && !b ? digit(a) : null; // '三' alone; '三三' is not a numeral
  return (a ? digit(a) : 1) * 10 + digit(b);
}

/** A building / entrance / room number as a comparable key: Chinese numeral → digits, no leading zeros, letters upper-cased. */
export function numberKey(s: string): string {
  const t = foldText(s).trim().toUpperCase();
  const cn = chineseNumeral(t);
  if (cn !== null) return String(cn);
  if (/^\d+$/.test(t)) return String(Number.parseInt(t, 10));
  return t;
}
