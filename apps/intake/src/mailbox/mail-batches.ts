import type { IntakeOutcome } from '@kefu/shared';

/** Messages per FETCH / store transaction / MOVE, and the bytes such a batch may hold. */
export const BATCH_MESSAGES = 250;
export const BATCH_BYTES = 32 * 1024 * 1024;
/** Larger than this many times MAIL_MAX_BYTES, only the start is kept (the whole stays in the quarantine folder). */
export const KEEP_WHOLE_FACTOR = 4;
export const TRUNCATED_KEEP_BYTES = 1024 * 1024;

/** A FETCH's UIDs; `maxBytes` when only the start of an oversized mail is kept. */
export interface MailBatch {
  uids: number[];
  maxBytes?: number;
}

/**
 * UIDs (in order) grouped so a batch stays within BATCH_MESSAGES and BATCH_BYTES; a mail over `mailMaxBytes`
 * travels alone, cut to TRUNCATED_KEEP_BYTES when over KEEP_WHOLE_FACTOR times that. An unknown size counts as 0.
 */
export function sizeBatches(uids: number[], sizes: ReadonlyMap<number, number>, mailMaxBytes: number): MailBatch[] {
  const out: MailBatch[] = [];
  const keepWhole = mailMaxBytes * KEEP_WHOLE_FACTOR;
  let current: number[] = [];
  let bytes = 0;
  for (const uid of uids) {
    const size = sizes.get(uid) ?? 0;
    if (size > mailMaxBytes) {
      out.push(size > keepWhole ? { uids: [uid], maxBytes: TRUNCATED_KEEP_BYTES } : { uids: [uid] });
      continue;
    }
    if (current.length >= BATCH_MESSAGES || (current.length > 0 && bytes + size > BATCH_BYTES)) {
      out.push({ uids: current });
      current = [];
      bytes = 0;
    }
    current.push(uid);
    bytes += size;
  }
  if (current.length) out.push({ uids: current });
  return out;
}

const FINAL = new Set<IntakeOutcome>([
  'case_created',
  'added_to_case',
  'duplicate',
  'auto_reply',
  'bounce',
  'quarantined',
]);

/** Where decided mail goes: quarantined to the quarantine folder, other final outcomes to the processed one; the rest stays. */
export function destinations(results: Array<{ uid: number; outcome: IntakeOutcome }>): {
  toProcessed: number[];
  toQuarantine: number[];
  left: number;
} {
  const toQuarantine = results.filter((r) => r.outcome === 'quarantined').map((r) => r.uid);
  const toProcessed = results.filter((r) => FINAL.has(r.outcome) && r.outcome !== 'quarantined').map((r) => r.uid);
  return { toProcessed, toQuarantine, left: results.length - toQuarantine.length - toProcessed.length };
}
