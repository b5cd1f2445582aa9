// The fast reader of plain YAML (src/articles/simple-yaml.ts) against js-yaml, the reader it stands in for: on
// every real file and on generated documents it gives js-yaml's exact data or steps aside (undefined), never a
// different answer, and never an answer where js-yaml refuses the text.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import yaml from 'js-yaml';
import { readSimpleYaml } from '../src/articles/simple-yaml.js';
import { sharedPath } from './helpers/shared.js';

const corpus = sharedPath('corpus');
const MAX = 200_000;

type JsYaml = { value: unknown } | { error: string };
function jsYaml(block: string): JsYaml {
  try {
    return { value: yaml.load(block, { schema: yaml.CORE_SCHEMA }) };
  } catch (error) {
    return { error: (error as Error).message };
  }
}

/** Fails the test when the fast reader answers differently from js-yaml; true when it answered at all. */
function agrees(block: string): boolean {
  const fast = readSimpleYaml(block, MAX);
  if (!fast) return false;
  const slow = jsYaml(block);
  assert.ok('value' in slow, `the fast reader accepted what js-yaml refuses (${'error' in slow ? slow.error : ''}):\n${block}`);
  assert.deepStrictEqual(fast.value, slow.value, `different data for:\n${block}`);
  return true;
}

test('every real file: the same data as js-yaml, and nearly all of them read by the fast reader', { skip: corpus.skip }, () => {
  let files = 0;
  let fast = 0;
  for (const entry of fs.readdirSync(corpus.path, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.md')) continue;
    const text = fs.readFileSync(path.join(entry.parentPath, entry.name), 'utf8');
    files++;
    if (agrees(text.slice(3, text.indexOf('\n---', 3)))) fast++;
  }
  assert.ok(files > 8000, `only ${files} real files found`);
  // The point of the reader: real files must not fall back to js-yaml (the few that do have CRLF line ends).
  assert.ok(fast / files > 0.99, `only ${fast} of ${files} real files took the fast reader`);
});

test('hand-picked edge cases: the same data as js-yaml, or left to it', () => {
  const cases = [
    'a: 1\nb: -1\nc: 1.50\nd: -0\ne: 0x1F\nf: 1e5\ng: .inf\nh: 007\ni: 2026-11-20\nj: 2026-11-20T09:00:00Z\nk: 680news.com',
    'a: null\nb: Null\nc: ~\nd: NULL\ne: nULL\nf: true\ng: True\nh: yes\ni: off\nj:',
    'null: 1\nTrue: 2\nfalse: 3\n__proto__: 4\nconstructor: 5\ntoString: 6',
    'a: "x \\" y \\\\ \\/ \\n \\t \\u00e9 \\ud83d\\ude00"\nb: "\\x41 \\0 \\e \\N \\_"\nc: \'it\'\'s\'\nd: "tab\there"',
    'a: x # comment\nb: "q" # c\n# whole line\n  # indented comment\nc: d#e\nf: g:h\ni: j: k',
    'a:\n  - 1\n  -\n  - - 2\n  - k: v\n    l:\n      - m\n  -   n: o\nb:\n- same indent',
    'a:\n  b: c\n   d: e',
    'a: b\n  continued plain',
    'a: "open\n  close"',
    'a: &x 1\nb: *x\nc: !!str 1\nd: [1, 2]\ne: {f: g}\nh: |\n  block\ni: >\n  folded',
    'a: 1\na: 2',
    'a: \ufeffb\nc: é\nd: \u2028e\nf: \u0085g',
    'a: x\r\nb: y',
    'a: "\u0001"\nb: \u0007',
    '  a: 1\n  b: 2',
    '  a: 1\nb: 2',
    '- a\n- b: c\n  d: e',
    'a:\n  - b:\n      -\n  - 1\nc:\n  -\nd: 0',
    '? a\n: b',
    'a: -\nb: - c\nc: -d\nd: +1\ne: .5\nf: ...\ng: "a"b',
    'a:    \n  \n\nb:',
    'plain text',
    '',
  ];
  // Whole, and line by line: one line outside the subset sends its whole document to js-yaml.
  for (const block of cases) [block, ...block.split('\n')].forEach(agrees);
  assert.equal(readSimpleYaml('a: 1\nb: [2]', MAX), undefined);
  assert.deepEqual(readSimpleYaml('topics:\n  - Space\n  -\n', MAX), { value: { topics: ['Space', null] } });
});

test('a document with more values than allowed is left to js-yaml, whose count front-matter.ts refuses', () => {
  const block = `list:\n${'  - x\n'.repeat(30)}`;
  assert.equal(readSimpleYaml(block, 30), undefined);
  assert.deepEqual(readSimpleYaml(block, 32)?.value, { list: Array(30).fill('x') });
});

// Generated documents: lines built from keys, dashes, indentation and scalars that sit on either side of every rule.
const scalarText = fc.oneof(
  fc.constantFrom('1', '-1', '0', '-0', '1.5', '01', '0x1', '1e3', '.5', '+1', '1_0', '.inf', '~', 'null', 'Null', 'nULL', 'TRUE', 'True', 'tRUE', 'false', 'yes', '', ' ', '-', '- x', '#', 'a #b', 'a#b', 'a: b', 'a:', ':a', '&a', '*a', '!t', '[1]', '{}', '|', '>', '%', '@', '`', '?', '2026-11-20T09:00:00Z', '680news.com', 'é', '\t', '\ufeff', '\u0085', '\u2028'),
  fc.string({ maxLength: 12 }),
  fc.string({ maxLength: 12, unit: 'binary' }),
);
const quoted = fc.oneof(
  scalarText.map((s) => JSON.stringify(s)),
  scalarText.map((s) => `"${s}"`),
  scalarText.map((s) => `'${s.replaceAll("'", "''")}'`),
  scalarText.map((s) => `'${s}'`),
  fc.constantFrom('"\\x41"', '"\\u00e9"', '"\\ud800"', '"a\\"', '"\\\\"', '"a" b', "'a'b", '"\\/"', '"\\ "'),
);
const value = fc.oneof(scalarText, quoted);
const key = fc.oneof(fc.constantFrom('a', 'b', 'title', 'null', 'True', 'x-y', 'x_1', 'é', '1', 'a b', '"q"', '__proto__'), fc.string({ maxLength: 4 }));
const line = fc.tuple(fc.nat({ max: 6 }), fc.constantFrom('key', 'key-value', 'dash', 'dash-value', 'dash-key-value', 'comment', 'blank'), key, value, fc.constantFrom('', ' ', '  ', '\r', '\t', ' # c')).map(
  ([indent, kind, k, v, tail]) => {
    const pad = ' '.repeat(indent);
    switch (kind) {
      case 'key': return `${pad}${k}:${tail}`;
      case 'key-value': return `${pad}${k}: ${v}${tail}`;
      case 'dash': return `${pad}-${tail}`;
      case 'dash-value': return `${pad}- ${v}${tail}`;
      case 'dash-key-value': return `${pad}- ${k}: ${v}${tail}`;
      case 'comment': return `${pad}# ${v}`;
      default: return pad;
    }
  },
);

const words = fc.oneof(
  fc.stringMatching(/^[A-Za-z][A-Za-z0-9 .,'"/-]{0,20}$/),
  fc.integer({ min: -1000, max: 1000 }).map(String),
  fc.string({ maxLength: 20 }).map((s) => JSON.stringify(s)),
);
// Well-formed documents too: nested maps and lists, indented as a writer would, with any of the scalars above.
const plainKey = fc.constantFrom('a', 'b', 'title', 'x-y', 'x_1', 'k', 'related', 'Title2');
const tree: fc.Arbitrary<unknown> = fc.letrec<{ node: unknown }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    { arbitrary: fc.oneof({ arbitrary: words, weight: 4 }, { arbitrary: value, weight: 1 }), weight: 2 },
    fc.array(tie('node'), { maxLength: 4 }),
    fc.uniqueArray(fc.tuple(plainKey, tie('node')), { maxLength: 4, selector: ([k]) => k }).map((entries) => new Map(entries)),
  ),
})).node;

/** A tree as block YAML, as the news pipeline writes it: "- key: value" for a map in a list, nested blocks two deeper. */
function render(node: unknown, indent: number): string[] {
  const pad = ' '.repeat(indent);
  const nested = (child: unknown, head: string): string[] => {
    if (typeof child === 'string') return [`${head} ${child}`];
    const inner = render(child, indent + 2);
    return inner.length ? [head, ...inner] : [head];
  };
  if (node instanceof Map) return [...node].flatMap(([k, v]) => nested(v, `${pad}${String(k)}:`));
  if (!Array.isArray(node)) return [`${pad}${String(node)}`];
  return node.flatMap((item) => {
    if (!(item instanceof Map) || item.size === 0) return nested(item, `${pad}-`);
    const [first, ...rest] = render(item, indent + 2);
    return [`${pad}- ${first!.trimStart()}`, ...rest];
  });
}

test('generated documents: the fast reader never answers differently from js-yaml', () => {
  let answered = 0;
  const check = (block: string) => {
    if (agrees(block)) answered++;
  };
  fc.assert(fc.property(fc.array(line, { maxLength: 12 }), (lines) => check(lines.join('\n'))), { numRuns: 20_000 });
  const document = fc.uniqueArray(fc.tuple(plainKey, tree), { minLength: 1, maxLength: 6, selector: ([k]) => k }).map((entries) => new Map(entries));
  fc.assert(fc.property(document, (node) => check(render(node, 0).join('\n'))), { numRuns: 20_000 });
  // Enough of the generated documents are in the subset for the comparison to mean something.
  assert.ok(answered > 5000, `only ${answered} generated documents were read by the fast reader`);
});
