// xlsx.mjs — reads an .xlsx file back into rows of cell texts, so that export tests
// check the cells and not only the first bytes. Central directory, stored and deflated
// members (node's zlib), shared and inline strings, numbers as written. Test-only: the
// first worksheet of files our own exporter (libxlsxwriter) writes.
import { inflateRawSync } from 'node:zlib';

function members(buf) {
  let eocd = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 22 - 65535); i--) {
    if (buf.readUInt32LE(i) === 0x06054b50) { eocd = i; break; }
  }
  if (eocd < 0) throw new Error('not a ZIP file: no end of central directory');
  const count = buf.readUInt16LE(eocd + 10);
  let p = buf.readUInt32LE(eocd + 16);
  const out = new Map();
  for (let i = 0; i < count; i++) {
    if (buf.readUInt32LE(p) !== 0x02014b50) throw new Error('broken central directory');
    const method = buf.readUInt16LE(p + 10), csize = buf.readUInt32LE(p + 20);
    const nl = buf.readUInt16LE(p + 28), xl = buf.readUInt16LE(p + 30), cl = buf.readUInt16LE(p + 32);
    const local = buf.readUInt32LE(p + 42);
    const name = buf.subarray(p + 46, p + 46 + nl).toString('utf8');
    const start = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
    const data = buf.subarray(start, start + csize);
    out.set(name, method === 8 ? inflateRawSync(data) : Buffer.from(data));
    p += 46 + nl + xl + cl;
  }
  return out;
}

const unescape = (s) => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"')
  .replace(/&apos;/g, "'").replace(/&#(\d+);/g, (_, n) => String.fromCodePoint(Number(n))).replace(/&amp;/g, '&');
const texts = (xml) => [...xml.matchAll(/<t(?:\s[^>]*)?>([^<]*)<\/t>/g)].map((m) => unescape(m[1])).join('');

function columnIndex(ref) {
  let c = 0;
  for (const ch of ref.match(/^[A-Z]+/)[0]) c = c * 26 + (ch.charCodeAt(0) - 64);
  return c - 1;
}

// Rows of the first worksheet: an array of arrays of strings ('' for an empty cell).
export function readXlsx(buf) {
  const files = members(buf);
  const sharedXml = files.get('xl/sharedStrings.xml')?.toString('utf8') || '';
  const shared = [...sharedXml.matchAll(/<si>([\s\S]*?)<\/si>/g)].map((m) => texts(m[1]));
  const sheet = files.get('xl/worksheets/sheet1.xml');
  if (!sheet) throw new Error('no first worksheet');
  const rows = [];
  for (const row of sheet.toString('utf8').matchAll(/<row\b[^>]*\br="(\d+)"[^>]*>([\s\S]*?)<\/row>/g)) {
    const cells = [];
    for (const c of row[2].matchAll(/<c\b([^>]*?)(?:\/>|>([\s\S]*?)<\/c>)/g)) {
      const ref = c[1].match(/\br="([A-Z]+)\d+"/)[1];
      const type = (c[1].match(/\bt="(\w+)"/) || [])[1] || 'n';
      const v = ((c[2] || '').match(/<v>([^<]*)<\/v>/) || [])[1];
      let text = '';
      if (type === 's') text = shared[Number(v)] ?? '';
      else if (type === 'inlineStr') text = texts(c[2] || '');
      else if (v !== undefined) text = unescape(v);
      cells[columnIndex(ref)] = text;
    }
    rows[Number(row[1]) - 1] = Array.from(cells, (x) => x ?? '');
  }
  return Array.from(rows, (r) => r ?? []);
}
