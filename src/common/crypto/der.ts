/**
 * A minimal DER (ASN.1) writer: just what a self-signed X.509 v3 certificate needs. Node can make
 * keys and sign bytes but has no certificate builder; these few encoders spare a dependency
 * (node-forge, @peculiar/x509) and any openssl process. Every certificate built from them is read
 * back with X509Certificate and verified before use.
 */

const len = (n: number): Buffer => {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  while (n > 0) {
    bytes.unshift(n & 0xff);
    n >>= 8;
  }
  return Buffer.from([0x80 | bytes.length, ...bytes]);
};

export const tlv = (tag: number, ...parts: Buffer[]): Buffer => {
  const body = Buffer.concat(parts);
  return Buffer.concat([Buffer.from([tag]), len(body.length), body]);
};
export const seq = (...p: Buffer[]): Buffer => tlv(0x30, ...p);
export const set = (...p: Buffer[]): Buffer => tlv(0x31, ...p);

/** An INTEGER from big-endian bytes (minimal, positive). */
export const int = (buf: Buffer): Buffer => {
  let b = Buffer.from(buf);
  while (b.length > 1 && b[0] === 0 && !(b[1]! & 0x80)) b = b.subarray(1);
  if (b[0]! & 0x80) b = Buffer.concat([Buffer.from([0]), b]);
  return tlv(0x02, b);
};

export const oid = (dotted: string): Buffer => {
  const arcs = dotted.split('.').map(Number);
  const out = [40 * arcs[0]! + arcs[1]!];
  for (const a of arcs.slice(2)) {
    const stack = [a & 0x7f];
    let v = a >>> 7;
    while (v > 0) {
      stack.unshift(0x80 | (v & 0x7f));
      v >>>= 7;
    }
    out.push(...stack);
  }
  return tlv(0x06, Buffer.from(out));
};

export const NULL = Buffer.from([0x05, 0x00]);
export const utf8 = (s: string): Buffer => tlv(0x0c, Buffer.from(s, 'utf8'));
export const bitString = (buf: Buffer): Buffer => tlv(0x03, Buffer.from([0]), buf);
export const octetString = (buf: Buffer): Buffer => tlv(0x04, buf);
export const bool = (v: boolean): Buffer => tlv(0x01, Buffer.from([v ? 0xff : 0]));
/** A context-specific constructed tag [n]. */
export const explicit = (n: number, ...p: Buffer[]): Buffer => tlv(0xa0 + n, ...p);

/** UTCTime before 2050, GeneralizedTime from then on (RFC 5280 §4.1.2.5). */
export const time = (d: Date): Buffer => {
  const iso = `${d.toISOString().replace(/[-:T]/g, '').slice(0, 14)}Z`;
  return d.getUTCFullYear() < 2050 ? tlv(0x17, Buffer.from(iso.slice(2))) : tlv(0x18, Buffer.from(iso));
};

/** A Name with one commonName. */
export const commonName = (cn: string): Buffer => seq(set(seq(oid('2.5.4.3'), utf8(cn))));
