import { Jieba } from '@node-rs/jieba';
import { dict } from '@node-rs/jieba/dict';
import { foldText } from './text';

// Jieba (the maintained Rust binding) with its standard dictionary, plus the property-management words owners and
// staff write that the general dictionary splits (空鼓 → 空 / 鼓). Format: word, frequency, part of speech.
const USER_WORDS = [
  '空鼓',
  '渗水',
  '渗漏',
  '漏水',
  '开裂',
  '裂缝',
  '返碱',
  '泛碱',
  '起砂',
  '脱落',
  '霉变',
  '发霉',
  '返潮',
  '反味',
  '堵塞',
  '积水',
  '噪音',
  '异响',
  '卫生间',
  '防水层',
  '外墙',
  '内墙',
  '顶棚',
  '天花板',
  '地暖',
  '水管',
  '下水道',
  '电梯',
  '门禁',
  '车位',
  '物业费',
  '维修基金',
  '保修期',
  '房产证',
  '交房',
  '延期交房',
  '精装修',
  '瓷砖',
  '地板',
  '窗框',
  '门窗',
  '阳台',
  '飘窗',
  '入户门',
];

// Words too common in complaints to say anything about a problem (and function words).
const STOP_WORDS = new Set(
  (
    '的 了 和 与 及 或 是 在 有 也 都 就 还 又 很 太 被 把 给 让 对 从 到 向 于 这 那 这个 那个 这些 那些 ' +
    '我 我们 我家 你 你们 您 他 她 它 他们 自己 业主 客户 物业 公司 贵司 你司 开发商 问题 情况 事情 现在 ' +
    '已经 一直 一下 一个 一些 还是 但是 因为 所以 如果 然后 并且 而且 没有 没 不 不是 不能 可以 能 会 要 ' +
    '需要 希望 请 麻烦 谢谢 反映 反馈 投诉 处理 解决 尽快 及时 多次 几次 一次 再次 时候 目前 出现 发现 ' +
    '什么 怎么 为什么 如何 哪里 吗 呢 吧 啊 呀 哦 嗯 等 等等 个 次 天 号 楼 室 单元 栋 层 户'
  ).split(' '),
);

let jieba: Jieba | null = null;

function segmenter(): Jieba {
  if (!jieba) {
    jieba = Jieba.withDict(dict);
    jieba.loadDict(Buffer.from(USER_WORDS.map((w) => `${w} 20000 n`).join('\n'), 'utf8'));
  }
  return jieba;
}

// A token worth keeping: letters (any script, CJK included) or digits; punctuation and spaces are not words.
const WORDISH = /[\p{L}\p{N}]/u;

function clean(words: string[], keepStop: boolean): string[] {
  const out: string[] = [];
  for (const raw of words) {
    // Quotes and backslashes would need escaping in a tsquery; a word is never longer than a lexeme may be.
    const w = raw.trim().toLowerCase().replace(/['\\]/g, '');
    if (!w || w.length > 60 || !WORDISH.test(w)) continue;
    if (!keepStop && STOP_WORDS.has(w)) continue;
    out.push(w);
  }
  return out;
}

/**
 * The words of a Chinese (or mixed) text, as jieba cuts it: traditional characters folded to simplified,
 * full-width to ASCII, lower-cased, punctuation dropped, stop words dropped. Order kept, repeats kept.
 */
export function segmentWords(text: string): string[] {
  if (!text) return [];
  return clean(segmenter().cut(foldText(text), true), false);
}

/**
 * The words to index a document by: jieba's search mode, which emits a long word and its shorter parts
 * (卫生间 → 卫生, 卫生间), so a search for either finds it. Space-joined, ready for to_tsvector('simple', …).
 */
export function indexText(text: string): string {
  if (!text) return '';
  return clean(segmenter().cutForSearch(foldText(text), true), false).join(' ');
}

/**
 * The words of a search query (each must match): jieba's precise mode, so 卫生间渗水 asks for 卫生间 and 渗水;
 * stop words dropped, unless the query is nothing but stop words (then they are what was asked for).
 */
export function queryWords(query: string): string[] {
  const folded = foldText(query);
  const words = clean(segmenter().cut(folded, true), false);
  const unique = [...new Set(words.length ? words : clean(segmenter().cut(folded, true), true))];
  return unique.slice(0, 12);
}

/** Problem words for recurring-problem detection: at least two characters, not numbers (unit numbers are not a problem). */
export function problemWords(text: string): string[] {
  return [...new Set(segmentWords(text).filter((w) => w.length >= 2 && !/^[\p{N}a-z-]+$/u.test(w)))];
}
