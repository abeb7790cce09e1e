// Pure text normalisers for intake: phone numbers, unit references, keyword classification, similarity.
export * from './phone';
export * from './unit-text';
export * from './classifier';
export * from './similarity';
export { foldText, chineseNumeral, numberKey, traditionalPairs } from './text';
