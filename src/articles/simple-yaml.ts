// A fast reader for the plain YAML the news pipeline writes: block mappings and sequences, one scalar per line.
// js-yaml (through gray-matter) was a third of a cold load; this reads real files several times faster. It gives
// exactly what js-yaml with CORE_SCHEMA gives, or undefined for anything outside that subset (anchors, aliases,
// tags, flow collections, block or multi-line scalars, comments after a value, tabs, CR, escapes JSON lacks,
// duplicate keys, numbers other than plain decimals…), which the caller then reads with js-yaml: a hostile file
// never passes here where js-yaml would refuse it, it only takes the slower, complete path.
// test/articles-simple-yaml.test.ts holds the two readers to the same result on every real file and on generated
// documents.

// js-yaml refuses these in plain scalars (its PATTERN_NON_PRINTABLE): left to it, for its message.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const NON_PRINTABLE = /[\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x84\x86-\x9F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?:[^\uD800-\uDBFF]|^)[\uDC00-\uDFFF]/;
const NOT_PRINTABLE_ASCII = /[^\x20-\x7E]/;
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL_OR_TAB = /[\x00-\x1F]/;
// eslint-disable-next-line no-control-regex -- js-yaml refuses these in a quoted scalar (a tab is allowed)
const CONTROL_BUT_TAB = /[\x00-\x08\x0A-\x1F]/;
const KEY = /[A-Za-z][A-Za-z0-9_-]*:(?: |\n|$)/y;
// Keys that CORE_SCHEMA would turn into null or a boolean (and so into the text "null", "true", "false").
const TYPED_KEY = /^(?:null|true|false)$/i;
const DECIMAL = /^-?(?:0|[1-9][0-9]{0,14})(?:\.[0-9]{1,15})?$/;
// Whatever js-yaml might read as an int or a float (0x1F, 0o17, -.5e3, .inf…; a superset of its own tests).
const INT_LIKE = /^[-+]?(?:0[box][0-9A-Fa-f_]*|[0-9_]+)$/;
const FLOAT_LIKE = /^(?:[-+]?[0-9]+(?:\.[0-9]*)?(?:[eE][-+]?[0-9]+)?|\.[0-9]+(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/;
const NULLS = new Set(['null', 'Null', 'NULL']);
const BOOLEANS = new Map([['true', true], ['True', true], ['TRUE', true], ['false', false], ['False', false], ['FALSE', false]]);

const SPACE = 32;
const DASH = 45;

/** Thrown inside the reader when the text leaves the subset; never escapes it. */
const OUTSIDE = Symbol('outside the simple subset');

/** The block's content lines (blank and comment lines left out) as offsets into it: no string per line. */
class Reader {
  private readonly starts: number[] = [];
  private readonly ends: number[] = [];
  /** Where each line's content starts: its indentation, or for "- key: value" the key's column. */
  private readonly indents: number[] = [];
  private at = 0;
  /** Values stored so far (map entries and list items), counted as front-matter.ts counts them in js-yaml's. */
  private values = 1;

  constructor(private readonly text: string, private readonly maxValues: number) {
    for (let start = 0; start <= text.length; ) {
      let end = text.indexOf('\n', start);
      if (end < 0) end = text.length;
      let indent = 0;
      while (text.charCodeAt(start + indent) === SPACE) indent++;
      // Blank lines and whole-line comments: nothing in the subset spans lines, so they can never be content.
      if (start + indent < end && text.charCodeAt(start + indent) !== 35) {
        this.starts.push(start);
        this.ends.push(end);
        this.indents.push(indent);
      }
      start = end + 1;
    }
  }

  document(): unknown {
    if (this.starts.length === 0) throw OUTSIDE; // nothing, or only comments: js-yaml says null or undefined
    const value = this.block(this.indents[0]!);
    if (this.at < this.starts.length) throw OUTSIDE;
    return value;
  }

  private block(indent: number): unknown {
    return this.isDash(this.at, indent) ? this.sequence(indent) : this.mapping(indent);
  }

  private mapping(indent: number): Record<string, unknown> {
    const map: Record<string, unknown> = {};
    const text = this.text;
    while (this.at < this.starts.length && this.indents[this.at] === indent) {
      const from = this.starts[this.at]! + indent;
      KEY.lastIndex = from;
      if (!KEY.test(text)) throw OUTSIDE;
      const key = text.slice(from, text.indexOf(':', from));
      if ((key.length === 4 || key.length === 5) && TYPED_KEY.test(key)) throw OUTSIDE;
      if (Object.hasOwn(map, key)) throw OUTSIDE;
      map[key] = this.value(Math.min(KEY.lastIndex, this.ends[this.at]!), indent);
    }
    this.endOf(indent);
    return map;
  }

  private sequence(indent: number): unknown[] {
    const list: unknown[] = [];
    const text = this.text;
    while (this.at < this.starts.length && this.indents[this.at] === indent && this.isDash(this.at, indent)) {
      const lineStart = this.starts[this.at]!;
      const end = this.ends[this.at]!;
      let from = lineStart + indent + 1;
      while (text.charCodeAt(from) === SPACE) from++;
      if (from >= end) {
        this.at++;
        if (this.deeper(indent)) throw OUTSIDE;
        // js-yaml gives an empty item's place to a list item that follows less indented: its reading, not ours.
        if (this.at < this.starts.length && this.indents[this.at]! < indent && this.isDash(this.at, this.indents[this.at]!)) throw OUTSIDE;
        list.push(this.count(null));
        continue;
      }
      if (text.charCodeAt(from) === DASH && (from + 1 === end || text.charCodeAt(from + 1) === SPACE)) throw OUTSIDE;
      KEY.lastIndex = from;
      if (KEY.test(text)) {
        // "- key: value": a mapping whose first line starts after the dash, the rest aligned with it.
        this.indents[this.at] = from - lineStart;
        list.push(this.count(this.mapping(from - lineStart)));
      } else {
        this.at++;
        list.push(this.count(scalar(text, from, end)));
      }
    }
    this.endOf(indent);
    return list;
  }

  /** The value after "key:" on the current line (from offset `from`): a scalar, or the block nested under it. */
  private value(from: number, indent: number): unknown {
    const text = this.text;
    const end = this.ends[this.at]!;
    this.at++;
    while (text.charCodeAt(from) === SPACE) from++;
    if (from < end) return this.count(scalar(text, from, end));
    // "key:" alone: a nested block (more indented; a list level with the key is left to js-yaml), or null.
    if (this.deeper(indent)) return this.count(this.block(this.indents[this.at]!));
    if (this.at < this.starts.length && this.indents[this.at] === indent && this.isDash(this.at, indent)) throw OUTSIDE;
    return this.count(null);
  }

  private isDash(line: number, indent: number): boolean {
    const at = this.starts[line]! + indent;
    return this.text.charCodeAt(at) === DASH && (at + 1 === this.ends[line] || this.text.charCodeAt(at + 1) === SPACE);
  }

  private deeper(indent: number): boolean {
    return this.at < this.starts.length && this.indents[this.at]! > indent;
  }

  /** A block ends at a line less indented; one more indented than its items is a continuation, outside the subset. */
  private endOf(indent: number): void {
    if (this.deeper(indent)) throw OUTSIDE;
  }

  private count<T>(value: T): T {
    if (++this.values > this.maxValues) throw OUTSIDE;
    return value;
  }
}

/** The scalar that fills `text` from `from` to the line's `end` (trailing spaces aside). */
function scalar(text: string, from: number, end: number): unknown {
  const first = text.charCodeAt(from);
  if (first === 34) return doubleQuoted(text, from, end);
  if (first === 39) return singleQuoted(text, from, end);
  while (text.charCodeAt(end - 1) === SPACE) end--;
  const value = text.slice(from, end);
  if (value.includes(': ') || value.endsWith(':') || value.includes(' #')) throw OUTSIDE;
  if (NOT_PRINTABLE_ASCII.test(value) && (CONTROL_OR_TAB.test(value) || NON_PRINTABLE.test(value))) throw OUTSIDE;
  // A letter, or any character beyond ASCII (none is an indicator; a byte order mark is left to js-yaml).
  if ((first >= 65 && first <= 90) || (first >= 97 && first <= 122) || (first >= 0x80 && first !== 0xfeff)) {
    if (NULLS.has(value)) return null;
    return BOOLEANS.get(value) ?? value;
  }
  if (value === '~') return null;
  if (DECIMAL.test(value) && value !== '-0') return Number(value);
  // Text starting with a digit (2026-11-20T09:00:00Z, 680news.com) unless it may be a number in another form
  // (0x1F, 1e5), which js-yaml reads, as it does plain forms starting with an indicator (-, ., +, [, &…).
  if (first >= 48 && first <= 57 && !INT_LIKE.test(value) && !FLOAT_LIKE.test(value)) return value;
  throw OUTSIDE;
}

/** Nothing may follow a closing quote on its line but spaces. */
function restIsBlank(text: string, from: number, end: number): boolean {
  for (let i = from; i < end; i++) if (text.charCodeAt(i) !== SPACE) return false;
  return true;
}

function doubleQuoted(text: string, from: number, end: number): string {
  let close = from;
  for (;;) {
    close = text.indexOf('"', close + 1);
    if (close < 0 || close >= end) throw OUTSIDE; // continues on the next line
    let slashes = 0;
    while (text.charCodeAt(close - 1 - slashes) === 92) slashes++;
    if (slashes % 2 === 0) break;
  }
  if (!restIsBlank(text, close + 1, end)) throw OUTSIDE;
  const body = text.slice(from + 1, close);
  if (!body.includes('\\')) {
    if (NOT_PRINTABLE_ASCII.test(body) && CONTROL_BUT_TAB.test(body)) throw OUTSIDE;
    return body;
  }
  // JSON's escapes (\" \\ \/ \b \f \n \r \t \uXXXX) mean the same in YAML; JSON.parse refuses every other one, and
  // any raw control character or tab.
  try {
    return JSON.parse(`"${body}"`) as string;
  } catch {
    throw OUTSIDE;
  }
}

function singleQuoted(text: string, from: number, end: number): string {
  let close = from;
  for (;;) {
    close = text.indexOf("'", close + 1);
    if (close < 0 || close >= end) throw OUTSIDE;
    if (text.charCodeAt(close + 1) !== 39) break;
    close++; // '' is a quote inside the text
  }
  if (!restIsBlank(text, close + 1, end)) throw OUTSIDE;
  const body = text.slice(from + 1, close);
  if (NOT_PRINTABLE_ASCII.test(body) && CONTROL_BUT_TAB.test(body)) throw OUTSIDE;
  return body.replaceAll("''", "'");
}

/**
 * What js-yaml (CORE_SCHEMA) reads from `block`, for documents in the simple subset; undefined for any other
 * document, or one holding more than `maxValues` values, which js-yaml must read (and front-matter.ts refuse).
 */
export function readSimpleYaml(block: string, maxValues: number): { value: unknown } | undefined {
  // A NUL stops js-yaml wherever it is, and a CR is a line break of its own, even inside a comment.
  if (block.includes('\0') || block.includes('\r')) return undefined;
  try {
    return { value: new Reader(block, maxValues).document() };
  } catch (error) {
    if (error === OUTSIDE) return undefined;
    throw error;
  }
}
