// Netlink messages as bytes: a header (struct nlmsghdr), a fixed family header (ifinfomsg, tcmsg,
// ...) and attributes (struct rtattr / nlattr: u16 length, u16 type, value, padded to 4 bytes),
// which nest. Encoding builds a tree and writes it once; decoding walks attributes lazily.
import { NLMSG_HDRLEN, NLA_F_NESTED, NLA_TYPE_MASK } from './uapi.js';

const align4 = (n: number): number => (n + 3) & ~3;

/** One attribute: a scalar, a string, raw bytes, or nested attributes. */
export type Attr =
  | { type: number; u8: number }
  | { type: number; u16: number }
  | { type: number; u32: number }
  | { type: number; s32: number }
  | { type: number; str: string }
  | { type: number; bytes: Buffer }
  | { type: number; nested: Attr[] };

export const u32 = (type: number, v: number): Attr => ({ type, u32: v });
export const s32 = (type: number, v: number): Attr => ({ type, s32: v });
export const u16 = (type: number, v: number): Attr => ({ type, u16: v });
export const str = (type: number, v: string): Attr => ({ type, str: v });
export const bytes = (type: number, v: Buffer): Attr => ({ type, bytes: v });
export const nested = (type: number, attrs: Attr[]): Attr => ({ type, nested: attrs });

function valueOf(a: Attr): Buffer {
  if ('u8' in a) return Buffer.from([a.u8 & 0xff]);
  if ('u16' in a) { const b = Buffer.alloc(2); b.writeUInt16LE(a.u16); return b; }
  if ('u32' in a) { const b = Buffer.alloc(4); b.writeUInt32LE(a.u32 >>> 0); return b; }
  if ('s32' in a) { const b = Buffer.alloc(4); b.writeInt32LE(a.s32); return b; }
  if ('str' in a) return Buffer.from(a.str + '\0', 'utf8');
  if ('bytes' in a) return a.bytes;
  return encodeAttrs(a.nested);
}

/** Attributes back to back, each padded to 4 bytes. */
export function encodeAttrs(attrs: readonly Attr[]): Buffer {
  const parts: Buffer[] = [];
  for (const a of attrs) {
    const v = valueOf(a);
    const h = Buffer.alloc(4);
    h.writeUInt16LE(4 + v.length, 0);
    h.writeUInt16LE('nested' in a ? a.type | NLA_F_NESTED : a.type, 2);
    parts.push(h, v, Buffer.alloc(align4(v.length) - v.length));
  }
  return Buffer.concat(parts);
}

/** A whole message: nlmsghdr + the family header + attributes. */
export function encodeMessage(type: number, flags: number, seq: number, header: Buffer, attrs: readonly Attr[] = []): Buffer {
  const body = Buffer.concat([header, Buffer.alloc(align4(header.length) - header.length), encodeAttrs(attrs)]);
  const h = Buffer.alloc(NLMSG_HDRLEN);
  h.writeUInt32LE(NLMSG_HDRLEN + body.length, 0);
  h.writeUInt16LE(type, 4);
  h.writeUInt16LE(flags, 6);
  h.writeUInt32LE(seq, 8);
  h.writeUInt32LE(0, 12);
  return Buffer.concat([h, body]);
}

/** A received message: its header fields and its payload (what follows nlmsghdr). */
export interface Message { type: number; flags: number; seq: number; pid: number; payload: Buffer }

/** Split a datagram into messages. */
export function* decodeMessages(buf: Buffer): Generator<Message> {
  let off = 0;
  while (off + NLMSG_HDRLEN <= buf.length) {
    const len = buf.readUInt32LE(off);
    if (len < NLMSG_HDRLEN || off + len > buf.length) break;
    yield {
      type: buf.readUInt16LE(off + 4), flags: buf.readUInt16LE(off + 6),
      seq: buf.readUInt32LE(off + 8), pid: buf.readUInt32LE(off + 12),
      payload: buf.subarray(off + NLMSG_HDRLEN, off + len),
    };
    off += align4(len);
  }
}

/** Decoded attributes by type (the last of a repeated type wins; `all` keeps every one in order). */
export class Attrs {
  readonly byType = new Map<number, Buffer>();
  readonly all: { type: number; value: Buffer }[] = [];
  constructor(buf: Buffer) {
    let off = 0;
    while (off + 4 <= buf.length) {
      const len = buf.readUInt16LE(off);
      if (len < 4 || off + len > buf.length) break;
      const type = buf.readUInt16LE(off + 2) & NLA_TYPE_MASK;
      const value = buf.subarray(off + 4, off + len);
      this.byType.set(type, value);
      this.all.push({ type, value });
      off += align4(len);
    }
  }
  has(type: number): boolean { return this.byType.has(type); }
  u8(type: number): number | undefined { return this.byType.get(type)?.readUInt8(0); }
  u32(type: number): number | undefined { return this.byType.get(type)?.readUInt32LE(0); }
  s32(type: number): number | undefined { return this.byType.get(type)?.readInt32LE(0); }
  str(type: number): string | undefined {
    const v = this.byType.get(type);
    if (!v) return undefined;
    const end = v.indexOf(0);
    return v.toString('utf8', 0, end < 0 ? v.length : end);
  }
  nested(type: number): Attrs | undefined {
    const v = this.byType.get(type);
    return v ? new Attrs(v) : undefined;
  }
}
