const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const PAD = 0x3d;

/** Six-bit value of each byte of the standard alphabet; -1 for any other byte. */
const SEXTET = new Int8Array(256).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) SEXTET[ALPHABET.charCodeAt(i)] = i;

/**
 * Decodes standard base64 (RFC 4648 §4) from its ASCII bytes, padding optional but, when
 * present, complete: `xx==`, `xxx=` or none. Anything else gives undefined. It reads the
 * bytes of the JSON string in place, so a payload of any size never becomes a JS string.
 */
export function decodeBase64(text: Uint8Array): Uint8Array | undefined {
  const length = text.length;
  let padding = 0;
  if (length > 0 && text[length - 1] === PAD)
    padding = length > 1 && text[length - 2] === PAD ? 2 : 1;
  const data = length - padding;
  if (padding > 0 ? length % 4 !== 0 : data % 4 === 1) return undefined;
  const out = new Uint8Array((data * 3) >> 2);
  let at = 0;
  let pos = 0;
  const whole = data - (data % 4);
  for (; pos < whole; pos += 4) {
    const a = SEXTET[text[pos]!]!;
    const b = SEXTET[text[pos + 1]!]!;
    const c = SEXTET[text[pos + 2]!]!;
    const d = SEXTET[text[pos + 3]!]!;
    if ((a | b | c | d) < 0) return undefined;
    const bits = (a << 18) | (b << 12) | (c << 6) | d;
    out[at] = bits >> 16;
    out[at + 1] = (bits >> 8) & 0xff;
    out[at + 2] = bits & 0xff;
    at += 3;
  }
  // A last group of two or three characters: one or two bytes, leftover bits ignored.
  if (pos < data) {
    const a = SEXTET[text[pos]!]!;
    const b = SEXTET[text[pos + 1]!]!;
    const c = data - pos === 3 ? SEXTET[text[pos + 2]!]! : 0;
    if ((a | b | c) < 0) return undefined;
    out[at] = (a << 2) | (b >> 4);
    if (data - pos === 3) out[at + 1] = ((b & 0x0f) << 4) | (c >> 2);
  }
  return out;
}
