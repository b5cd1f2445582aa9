// Text from untrusted files made safe to keep and compare: plain string functions with no Discord import, so the
// parse workers (src/articles/parse-worker.ts) load only what parsing needs.
import he from 'he';

// C0/C1 control characters except tab/newline, plus zero-width and bidi overrides that make text lie about itself.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u200B-\u200F\u202A-\u202E\u2066-\u2069\uFEFF]/g;
// Characters with no visible form (Unicode's Default_Ignorable_Code_Point: soft hyphens, word joiners, the Arabic
// letter mark, Hangul fillers, variation selectors, tag characters…): "Sp\u2060ace" looked exactly like "Space" and
// became a second topic. Removed wherever text is cleaned or compared.
const INVISIBLE = /\p{Default_Ignorable_Code_Point}/gu;
const WHITESPACE_RUN = /[\s\u00A0]+/g;
// Words of visible characters no rule below changes (printable ASCII but '&', Latin, Greek, Cyrillic, Hebrew,
// typographic quotes and dashes), one space apart: most real text, returned as it is (four passes saved).
const VISIBLE = '!-%\'-~\u00A1-\u00AC\u00AE-\u02FF\u0370-\u05FF\u2010-\u2027\u2030-\u205E';
const ALREADY_CLEAN = new RegExp(`^[${VISIBLE}]+(?: [${VISIBLE}]+)*$`);

/**
 * Untrusted article text made fit to show: HTML entities decoded (real files carry them double-encoded,
 * e.g. `&amp;#39;`), control and invisible characters removed, every run of whitespace (CR/LF, NBSP) folded to
 * one space.
 */
export function cleanText(raw: unknown): string {
  if (typeof raw !== 'string' && typeof raw !== 'number') return '';
  let text = String(raw);
  if (ALREADY_CLEAN.test(text)) return text;
  for (let i = 0; i < 3 && text.includes('&'); i++) {
    const decoded = he.decode(text);
    if (decoded === text) break;
    text = decoded;
  }
  return text.replace(CONTROL, '').replace(INVISIBLE, '').replace(WHITESPACE_RUN, ' ').trim();
}

/** A valid absolute http(s) URL in its canonical (percent-encoded) form, or null. */
export function safeHttpUrl(raw: unknown): string | null {
  if (typeof raw !== 'string') return null;
  const candidate = raw.replace(CONTROL, '').trim();
  if (!candidate) return null;
  let url: URL;
  try {
    url = new URL(candidate);
  } catch {
    return null;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
  if (!url.hostname.includes('.') && url.hostname !== 'localhost') return null;
  if (url.username || url.password) return null;
  return url.href;
}

const ELLIPSIS = '…';

/**
 * Shortens text to at most `max` characters (UTF-16 units, as Discord counts), cutting on a word boundary when one
 * is reasonably close and marking the cut with an ellipsis. Never splits a surrogate pair.
 */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  if (max <= ELLIPSIS.length) return ELLIPSIS.slice(0, Math.max(0, max));
  let cut = max - ELLIPSIS.length;
  const code = text.charCodeAt(cut - 1);
  if (code >= 0xd800 && code <= 0xdbff) cut -= 1;
  const head = text.slice(0, cut);
  const space = head.lastIndexOf(' ');
  const body = space >= cut * 0.6 ? head.slice(0, space) : head;
  // A cut inside an escape sequence would leave a dangling backslash that escapes the ellipsis.
  return body.replace(/[\s,;:.\-–—\\]+$/u, '') + ELLIPSIS;
}

/** Folds case and accents, and drops invisible characters, so that "Économie" finds "economie". */
export function foldForMatch(text: string): string {
  // After NFKD, whose decompositions can be invisible themselves (U+3164 becomes U+1160).
  return text.normalize('NFKD').replace(/[\u0300-\u036f]/g, '').replace(INVISIBLE, '').toLowerCase();
}
