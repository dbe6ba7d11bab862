/** Text limits as the core counts them: in UTF-8 bytes, never splitting a character. */

/** UTF-8 bytes of one code point. */
function bytesOf(codePoint: number): number {
  return codePoint < 0x80 ? 1 : codePoint < 0x800 ? 2 : codePoint < 0x10000 ? 3 : 4;
}

/** `text` cut to at most `maxBytes` UTF-8 bytes, at a character boundary (the text itself if it fits). */
export function clipUtf8(text: string, maxBytes: number): string {
  let bytes = 0;
  let end = 0;
  for (const ch of text) {
    bytes += bytesOf(ch.codePointAt(0)!);
    if (bytes > maxBytes) return text.slice(0, end);
    end += ch.length;
  }
  return text;
}
