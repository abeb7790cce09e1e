/**
 * Pages of a TIFF (a multi-page fax is one IFD per page): walks the IFD chain from the header, little-
 * or big-endian, classic TIFF or BigTIFF. Bounded against loops and truncated files; returns null when
 * the bytes are not a TIFF.
 */
const MAX_PAGES = 10_000;

export function tiffPageCount(buf: Buffer): number | null {
  if (buf.length < 8) return null;
  const order = buf.toString('latin1', 0, 2);
  if (order !== 'II' && order !== 'MM') return null;
  const le = order === 'II';
  const u16 = (o: number) => (le ? buf.readUInt16LE(o) : buf.readUInt16BE(o));
  const u32 = (o: number) => (le ? buf.readUInt32LE(o) : buf.readUInt32BE(o));
  const u64 = (o: number) => Number(le ? buf.readBigUInt64LE(o) : buf.readBigUInt64BE(o));
  const magic = u16(2);
  const big = magic === 43;
  if (magic !== 42 && !big) return null;
  if (big && (buf.length < 16 || u16(4) !== 8)) return null;

  let offset = big ? u64(8) : u32(4);
  const seen = new Set<number>();
  let pages = 0;
  while (offset !== 0) {
    // A loop or an offset outside the file ends the walk: count what was valid.
    if (seen.has(offset) || offset < 8 || pages >= MAX_PAGES) break;
    const countSize = big ? 8 : 2;
    if (offset + countSize > buf.length) break;
    seen.add(offset);
    const entries = big ? u64(offset) : u16(offset);
    const entrySize = big ? 20 : 12;
    const next = offset + countSize + entries * entrySize;
    if (next + (big ? 8 : 4) > buf.length) break;
    pages += 1;
    offset = big ? u64(next) : u32(next);
  }
  return pages;
}
