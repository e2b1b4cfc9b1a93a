/**
 * File and folder names as 1fichier stores them: rclone's fichier encoder, so that names
 * written by rclone show identically here and the other way round.
 *
 * rclone's mask for this backend: Zero, Slash, LtGt, DoubleQuote, SingleQuote, BackQuote, Dollar, BackSlash,
 * Del, Ctl, LeftSpace, RightSpace, InvalidUtf8, Dot. A reserved character is replaced by its look-alike
 * (fullwidth form, or the Control Pictures block U+2400-U+2421); a look-alike already present in the name
 * is prefixed with the quote U+201B (‛), and so is the quote itself and ␀ (always, whatever the mask).
 *
 * `encodeName` / `decodeName` are that codec, with two deliberate points where a JS string differs from
 * rclone's byte strings:
 * - Invalid UTF-8. rclone stores each invalid byte as `‛XX` (upper-case hex) and its decoder turns ANY `‛`
 *   followed by two hex digits back into that byte. A JS string holds no bytes: `encodeName` has only
 *   lone surrogates to worry about, and writes each one as the `‛XX` escapes of its WTF-8 bytes (what a
 *   byte-oriented system would hold); every other character, U+FFFD included, is valid and left alone.
 *   `decodeName` gathers each run of `‛XX` escapes into bytes and decodes them: valid UTF-8 sequences become
 *   their characters (as rclone shows them), WTF-8 surrogate triples become the lone surrogate (so encode
 *   and decode are inverse on every JS string), and a byte that is neither is kept as its escape text
 *   verbatim (rclone would show the raw byte, which no JS string can hold).
 * - A name ending in `‛` followed by a space. rclone encodes `a‛ ` as `a‛‛␠` but decodes that as `a‛␠`
 *   (it checks only the character before a trailing ␠ for a quote). `decodeName` counts the whole run of
 *   quotes, which makes it the exact inverse of the encoder; on every other name the two decoders agree.
 *
 * `toStoredName` / `fromStoredName` add what the VFS needs on top (its names are path segments, like a
 * local disk's): a decoded name may hold `/` or NUL, or be `.` or `..`, which no path segment can. They
 * are shown the way rclone's local backend shows them on Linux (encoding Slash, Dot): `/` as `／`, NUL as
 * `␀`, `.` and `..` as `．` and `．．`, and those look-alikes are read back as the originals. Unlike the
 * local backend, no quote is added for a look-alike already in a name: the name a user types is the name
 * stored, and a local file uploaded by rclone lists here under its local name. Cost: a stored true `／`
 * (written as `‛／`) also lists as `／` and is written back as a plain `／`, the same file name for rclone's
 * local backend.
 */

const QUOTE = '\u201B';
/** SYMBOL FOR NULL: U+2400 + c is the picture of control character c. */
const SYMBOL_OFFSET = 0x2400;
/** Added to a printable ASCII character, gives its FULLWIDTH form. */
const FULL_OFFSET = 0xfee0;
const SYMBOL_SPACE = '\u2420';
const SYMBOL_DEL = '\u2421';
const FULL_STOP = '\uff0e';
/** ASCII characters the mask replaces by their fullwidth form: Slash, LtGt, DoubleQuote, SingleQuote, BackQuote, Dollar, BackSlash. */
const FULLWIDTH_RAW = '/<>"\'`$\\';

const RAW_TO_ENCODED = new Map<string, string>();
for (const c of FULLWIDTH_RAW) RAW_TO_ENCODED.set(c, String.fromCharCode(c.charCodeAt(0) + FULL_OFFSET));
RAW_TO_ENCODED.set('\0', String.fromCharCode(SYMBOL_OFFSET));
for (let c = 1; c <= 0x1f; c++) RAW_TO_ENCODED.set(String.fromCharCode(c), String.fromCharCode(SYMBOL_OFFSET + c));
RAW_TO_ENCODED.set('\x7f', SYMBOL_DEL);
const ENCODED_TO_RAW = new Map<string, string>([...RAW_TO_ENCODED].map(([raw, enc]) => [enc, raw]));

/** Characters that must be quoted when they appear as themselves: every replacement, and the quote. */
function needsQuote(ch: string): boolean {
  return ch === QUOTE || ENCODED_TO_RAW.has(ch);
}

/** rclone's fichier encoding of one name (exact; see the file comment for lone surrogates). */
export function encodeName(name: string): string {
  if (name === '') return '';
  if (name === '.') return FULL_STOP;
  if (name === '..') return FULL_STOP + FULL_STOP;
  if (name === FULL_STOP) return QUOTE + FULL_STOP;
  if (name === FULL_STOP + FULL_STOP) return QUOTE + FULL_STOP + QUOTE + FULL_STOP;
  let body = name;
  let prefix = '';
  if (body.startsWith(' ')) [prefix, body] = [SYMBOL_SPACE, body.slice(1)];
  else if (body.startsWith(SYMBOL_SPACE)) [prefix, body] = [QUOTE + SYMBOL_SPACE, body.slice(1)];
  let suffix = '';
  if (body.endsWith(' ')) [suffix, body] = [SYMBOL_SPACE, body.slice(0, -1)];
  else if (body.endsWith(SYMBOL_SPACE)) [suffix, body] = [QUOTE + SYMBOL_SPACE, body.slice(0, -1)];
  return prefix + encodeBody(body) + suffix;
}

function encodeBody(body: string): string {
  let out = '';
  for (const ch of body) {
    const replaced = RAW_TO_ENCODED.get(ch);
    if (replaced !== undefined) out += replaced;
    else if (needsQuote(ch)) out += QUOTE + ch;
    else if (isLoneSurrogate(ch)) out += wtf8Bytes(ch.charCodeAt(0)).map(hexEscape).join('');
    else out += ch;
  }
  return out;
}

/** Undoes `encodeName` (rclone's decoder, see the file comment for its two differences). */
export function decodeName(stored: string): string {
  if (stored === FULL_STOP) return '.';
  if (stored === FULL_STOP + FULL_STOP) return '..';
  if (stored === QUOTE + FULL_STOP) return FULL_STOP;
  if (stored === QUOTE + FULL_STOP + QUOTE + FULL_STOP) return FULL_STOP + FULL_STOP;
  let body = stored;
  let prefix = '';
  if (body.startsWith(SYMBOL_SPACE)) [prefix, body] = [' ', body.slice(1)];
  else if (body.startsWith(QUOTE + SYMBOL_SPACE)) [prefix, body] = [SYMBOL_SPACE, body.slice(2)];
  let suffix = '';
  if (body.endsWith(SYMBOL_SPACE)) {
    body = body.slice(0, -1);
    const quoted = trailingQuotes(body) % 2 === 1;
    [suffix, body] = quoted ? [SYMBOL_SPACE, body.slice(0, -1)] : [' ', body];
  }
  return prefix + decodeBody(body) + suffix;
}

function trailingQuotes(s: string): number {
  let n = 0;
  while (n < s.length && s[s.length - 1 - n] === QUOTE) n++;
  return n;
}

/** One byte from a `‛XX` escape, with the escape's text (kept when the byte cannot be decoded). */
interface EscapedByte {
  value: number;
  text: string;
}

function decodeBody(body: string): string {
  const chars = Array.from(body);
  let out = '';
  let run: EscapedByte[] = [];
  const emit = (s: string): void => {
    if (run.length > 0) out += decodeBytes(run);
    run = [];
    out += s;
  };
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i]!;
    if (ch !== QUOTE) {
      emit(ENCODED_TO_RAW.get(ch) ?? ch);
      continue;
    }
    const next = chars[i + 1];
    if (next === undefined) {
      emit(QUOTE);
      continue;
    }
    const hex = next + (chars[i + 2] ?? '');
    if (!needsQuote(next) && /^[0-9A-Fa-f]{2}$/.test(hex)) {
      run.push({ value: parseInt(hex, 16), text: QUOTE + hex });
      i += 2;
      continue;
    }
    emit(needsQuote(next) ? next : QUOTE + next);
    i += 1;
  }
  emit('');
  return out;
}

/** Decodes escaped bytes: valid UTF-8 to characters, WTF-8 surrogates to lone surrogates, the rest kept as escapes. */
function decodeBytes(bytes: EscapedByte[]): string {
  let out = '';
  let i = 0;
  while (i < bytes.length) {
    const seq = utf8Sequence(bytes.slice(i, i + 4).map((b) => b.value));
    if (seq) {
      out += String.fromCodePoint(seq.codePoint);
      i += seq.length;
    } else {
      out += bytes[i]!.text;
      i += 1;
    }
  }
  return out;
}

/** The character at the start of `b` (strict UTF-8, plus WTF-8 lone surrogates), or undefined when invalid. */
function utf8Sequence(b: number[]): { codePoint: number; length: number } | undefined {
  const lead = b[0]!;
  if (lead < 0x80) return { codePoint: lead, length: 1 };
  let length: number;
  let lo = 0x80;
  let hi = 0xbf;
  if (lead >= 0xc2 && lead <= 0xdf) length = 2;
  else if (lead >= 0xe0 && lead <= 0xef) {
    length = 3;
    if (lead === 0xe0) lo = 0xa0;
  } else if (lead >= 0xf0 && lead <= 0xf4) {
    length = 4;
    if (lead === 0xf0) lo = 0x90;
    if (lead === 0xf4) hi = 0x8f;
  } else return undefined;
  if (b.length < length) return undefined;
  let codePoint = lead & (0xff >> (length + 1));
  for (let k = 1; k < length; k++) {
    const c = b[k]!;
    if (c < (k === 1 ? lo : 0x80) || c > (k === 1 ? hi : 0xbf)) return undefined;
    codePoint = (codePoint << 6) | (c & 0x3f);
  }
  return { codePoint, length };
}

function isLoneSurrogate(ch: string): boolean {
  const c = ch.charCodeAt(0);
  return ch.length === 1 && c >= 0xd800 && c <= 0xdfff;
}

/** The 3 bytes a byte-oriented system (WTF-8) holds for a lone surrogate. */
function wtf8Bytes(unit: number): number[] {
  return [0xe0 | (unit >> 12), 0x80 | ((unit >> 6) & 0x3f), 0x80 | (unit & 0x3f)];
}

function hexEscape(byte: number): string {
  return QUOTE + byte.toString(16).toUpperCase().padStart(2, '0');
}

const SLASH_LOOKALIKE = String.fromCharCode('/'.charCodeAt(0) + FULL_OFFSET);
const NUL_LOOKALIKE = String.fromCharCode(SYMBOL_OFFSET);

/**
 * The stored form of a path segment the VFS uses (no `/`, no NUL, not `.` or `..`): `／`, `␀` and the whole
 * names `．` / `．．` are read as `/`, NUL, `.` / `..` (see the file comment), then `encodeName`.
 */
export function toStoredName(segment: string): string {
  if (segment === FULL_STOP) return encodeName('.');
  if (segment === FULL_STOP + FULL_STOP) return encodeName('..');
  return encodeName(segment.replaceAll(SLASH_LOOKALIKE, '/').replaceAll(NUL_LOOKALIKE, '\0'));
}

/** The path segment shown for a stored name: `decodeName`, then `/`, NUL, `.`, `..` shown as their look-alikes. */
export function fromStoredName(stored: string): string {
  const name = decodeName(stored);
  if (name === '.') return FULL_STOP;
  if (name === '..') return FULL_STOP + FULL_STOP;
  return name.replaceAll('/', SLASH_LOOKALIKE).replaceAll('\0', NUL_LOOKALIKE);
}
