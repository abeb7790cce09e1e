// Pure text normalisers for intake: unit references, keyword classification, similarity. Phone numbers and the
// text folding all of them use live in @kefu/shared (libs/shared/src/phone, libs/shared/src/text).
export * from './unit-text';
export * from './classifier';
export * from './similarity';
