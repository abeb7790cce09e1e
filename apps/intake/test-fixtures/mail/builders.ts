/**
 * Building blocks for fixture mail: legacy Chinese charsets, MIME encodings, and minimal but valid
 * PDF and TIFF files (what fax gateways attach). Used by generate.ts (the committed .eml files) and by
 * tests that need bytes too large to commit (the 30 MB attachment).
 */

const reverse = new Map<string, Map<string, Buffer>>();

/** Encodes text in GBK / GB2312 / Big5 (Node only decodes these; the table is built from TextDecoder). */
export function encodeLegacy(text: string, charset: 'gbk' | 'gb2312' | 'big5'): Buffer {
  const label = charset === 'big5' ? 'big5' : 'gbk';
  let table = reverse.get(label);
  if (!table) {
    table = new Map();
    const dec = new TextDecoder(label, { fatal: true });
    for (let hi = 0x81; hi <= 0xfe; hi++) {
      for (let lo = 0x40; lo <= 0xfe; lo++) {
        try {
          const ch = dec.decode(new Uint8Array([hi, lo]));
          if (ch.length === 1 && !table.has(ch)) table.set(ch, Buffer.from([hi, lo]));
        } catch {
          // not a character in this charset
        }
      }
    }
    reverse.set(label, table);
  }
  const out: Buffer[] = [];
  for (const ch of text) {
    if (ch.charCodeAt(0) < 0x80) out.push(Buffer.from(ch, 'latin1'));
    else {
      const bytes = table.get(ch);
      if (!bytes) throw new Error(`${ch} is not in ${charset}`);
      out.push(bytes);
    }
  }
  return Buffer.concat(out);
}

export const base64Lines = (b: Buffer): string => b.toString('base64').replace(/.{1,76}/g, '$&\r\n');

/** Quoted-printable of bytes (soft line breaks at 76). */
export function quotedPrintable(b: Buffer): string {
  let line = '';
  const lines: string[] = [];
  for (const byte of b) {
    const ch = byte === 0x0a ? '\n' : byte >= 33 && byte <= 126 && byte !== 61 ? String.fromCharCode(byte) : byte === 0x20 ? ' ' : `=${byte.toString(16).toUpperCase().padStart(2, '0')}`;
    if (ch === '\n') {
      lines.push(line.replace(/ $/, '=20'));
      line = '';
      continue;
    }
    if (line.length + ch.length > 75) {
      lines.push(`${line}=`);
      line = '';
    }
    line += ch;
  }
  lines.push(line);
  return lines.join('\r\n');
}

/** RFC 2047 encoded word. */
export function encodedWord(bytes: Buffer, charset: string, encoding: 'B' | 'Q' = 'B'): string {
  if (encoding === 'B') return `=?${charset}?B?${bytes.toString('base64')}?=`;
  const q = [...bytes].map((c) => (c >= 33 && c <= 126 && c !== 61 && c !== 63 && c !== 95 ? String.fromCharCode(c) : c === 32 ? '_' : `=${c.toString(16).toUpperCase().padStart(2, '0')}`)).join('');
  return `=?${charset}?Q?${q}?=`;
}

export const crlf = (s: string): string => s.replace(/\r?\n/g, '\r\n');

/** A message from header lines and a body (already encoded), CRLF line ends. */
export function message(headers: Array<[string, string]>, body: string | Buffer): Buffer {
  const head = Buffer.from(`${headers.map(([k, v]) => `${k}: ${v}`).join('\r\n')}\r\n\r\n`, 'latin1');
  return Buffer.concat([head, typeof body === 'string' ? Buffer.from(crlf(body), 'latin1') : body]);
}

// ---------------------------------------------------------------- PDF

interface PdfPage {
  /** Lines of text drawn as a real text layer (CJK allowed), or null for a scanned page (an image only). */
  lines: string[] | null;
}

/**
 * A small PDF. Text uses a Type0 font with Identity-H encoding and a ToUnicode map (no embedded font
 * program, as many fax-to-PDF converters write it), so extractors recover the exact characters.
 */
export function makePdf(pages: PdfPage[]): Buffer {
  const chars = [...new Set(pages.flatMap((p) => p.lines ?? []).join(''))];
  const cid = new Map(chars.map((c, i) => [c, i + 1]));
  const objects: string[] = [];
  const add = (body: string) => objects.push(body) ;
  const stream = (dict: string, data: string) => `<< ${dict} /Length ${Buffer.byteLength(data, 'latin1')} >>\nstream\n${data}\nendstream`;

  add('<< /Type /Catalog /Pages 2 0 R >>'); // 1
  add(''); // 2: pages, filled below
  const bfchar = chars.map((c) => `<${cid.get(c)!.toString(16).padStart(4, '0')}> <${Buffer.from(c, 'utf16le').swap16().toString('hex')}>`);
  const blocks: string[] = [];
  for (let i = 0; i < bfchar.length; i += 100) blocks.push(`${Math.min(100, bfchar.length - i)} beginbfchar\n${bfchar.slice(i, i + 100).join('\n')}\nendbfchar`);
  const cmap = `/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n${blocks.join('\n')}\nendcmap\nCMapName currentdict /CMap defineresource pop\nend\nend`;
  add(stream('', cmap)); // 3 ToUnicode
  add('<< /Type /FontDescriptor /FontName /STSong-Light /Flags 4 /FontBBox [0 -200 1000 900] /ItalicAngle 0 /Ascent 880 /Descent -120 /CapHeight 880 /StemV 80 >>'); // 4
  add('<< /Type /Font /Subtype /CIDFontType2 /BaseFont /STSong-Light /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> /FontDescriptor 4 0 R /DW 1000 >>'); // 5
  add('<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /Identity-H /DescendantFonts [5 0 R] /ToUnicode 3 0 R >>'); // 6
  // A 1-bit 16x16 "scan" for image-only pages.
  const scan = Buffer.alloc(32, 0xaa).toString('latin1');
  add(stream('/Type /XObject /Subtype /Image /Width 16 /Height 16 /ColorSpace /DeviceGray /BitsPerComponent 1', scan)); // 7

  const kids: number[] = [];
  for (const page of pages) {
    const content = page.lines
      ? `BT /F1 14 Tf 50 780 Td 18 TL\n${page.lines.map((l) => `<${[...l].map((c) => cid.get(c)!.toString(16).padStart(4, '0')).join('')}> Tj T*`).join('\n')}\nET`
      : 'q 500 0 0 700 50 70 cm /Im1 Do Q';
    add(stream('', content));
    const contentId = objects.length;
    add(`<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 6 0 R >> /XObject << /Im1 7 0 R >> >> /Contents ${contentId} 0 R >>`);
    kids.push(objects.length);
  }
  objects[1] = `<< /Type /Pages /Kids [${kids.map((k) => `${k} 0 R`).join(' ')}] /Count ${kids.length} >>`;

  let out = '%PDF-1.4\n%\xe2\xe3\xcf\xd3\n';
  const offsets: number[] = [];
  objects.forEach((body, i) => {
    offsets.push(Buffer.byteLength(out, 'latin1'));
    out += `${i + 1} 0 obj\n${body}\nendobj\n`;
  });
  const xref = Buffer.byteLength(out, 'latin1');
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}`;
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, 'latin1');
}

// ---------------------------------------------------------------- TIFF

/** A multi-page bilevel TIFF (one IFD per page, uncompressed 32x32 strips), in either byte order. */
export function makeTiff(pageCount: number, order: 'II' | 'MM' = 'II'): Buffer {
  const le = order === 'II';
  const width = 32;
  const height = 32;
  const stripBytes = (width / 8) * height;
  const entries = 10;
  const ifdSize = 2 + entries * 12 + 4;
  const pageSize = ifdSize + 16 + stripBytes; // IFD, two rationals, pixels
  const buf = Buffer.alloc(8 + pageCount * pageSize);
  const u16 = (v: number, o: number) => (le ? buf.writeUInt16LE(v, o) : buf.writeUInt16BE(v, o));
  const u32 = (v: number, o: number) => (le ? buf.writeUInt32LE(v, o) : buf.writeUInt32BE(v, o));
  buf.write(order, 0, 'latin1');
  u16(42, 2);
  u32(8, 4);
  for (let p = 0; p < pageCount; p++) {
    const ifd = 8 + p * pageSize;
    const res = ifd + ifdSize;
    const data = res + 16;
    u16(entries, ifd);
    const tags: Array<[number, number, number, number]> = [
      [256, 3, 1, width], [257, 3, 1, height], [258, 3, 1, 1], [259, 3, 1, 1], [262, 3, 1, 0],
      [273, 4, 1, data], [278, 3, 1, height], [279, 4, 1, stripBytes], [282, 5, 1, res], [283, 5, 1, res + 8],
    ];
    tags.forEach(([tag, type, count, value], i) => {
      const e = ifd + 2 + i * 12;
      u16(tag, e);
      u16(type, e + 2);
      u32(count, e + 4);
      if (type === 3) u16(value, e + 8);
      else u32(value, e + 8);
    });
    u32(p + 1 < pageCount ? 8 + (p + 1) * pageSize : 0, ifd + 2 + entries * 12);
    u32(204, res); u32(1, res + 4); u32(196, res + 8); u32(1, res + 12); // fine-mode fax resolution
    for (let i = 0; i < stripBytes; i++) buf[data + i] = (p * 37 + i) & 0xff;
  }
  return buf;
}
