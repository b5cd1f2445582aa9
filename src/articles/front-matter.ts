// Front matter is read as data, never run as code. Front-matter tools choose a parser from the opening line:
// gray-matter runs a "---js" block through its JavaScript engine, which evals it, so a dropped-in file could run
// anything in the bot. Here the block is cut out by hand (as gray-matter cuts it) and only YAML is read, with
// js-yaml's CORE_SCHEMA, which builds plain strings, numbers, booleans, nulls, lists and maps: no dates, no
// !!binary, no merge keys, no custom tags. The plain YAML real files hold takes a faster reader that gives the same
// data (simple-yaml.ts); anything else goes through js-yaml.
import yaml from 'js-yaml';
import { truncate } from '../util/clean-text.js';
import { FRONT_MATTER_VALUES_MAX } from './limits.js';
import { readSimpleYaml } from './simple-yaml.js';

/** Front matter that is not read, with the reason a file is skipped for it. */
export class FrontMatterRefused extends Error {}

const YAML_NAMES = new Set(['', 'yaml', 'yml']);
const DELIMITER = '---';
const CLOSE = `\n${DELIMITER}`;

/**
 * Whether `data` holds more than `max` values, counting a value each time it is reached. A YAML alias is one
 * parsed value used again: ten aliases of ten aliases of … are a few lines that every walk over the data (zod's,
 * ours) would go through exponentially many times. Counting stops as soon as it passes `max`.
 */
function holdsMoreThan(data: unknown, max: number): boolean {
  let count = 1;
  const stack: unknown[] = [data];
  while (stack.length) {
    const value = stack.pop();
    if (value === null || typeof value !== 'object') continue;
    const children = Object.values(value);
    count += children.length;
    if (count > max) return true;
    for (const child of children) stack.push(child);
  }
  return false;
}

function tooManyValues(): FrontMatterRefused {
  return new FrontMatterRefused(`front matter: more than ${FRONT_MATTER_VALUES_MAX.toLocaleString('en-US')} values, counting each use of a YAML alias: far more than an article holds (an alias bomb?): trim it`);
}

/** The YAML between the opening "---" line and the next line starting with "---" (or the end), or null for none. */
function frontMatterBlock(text: string): string | null {
  if (!text.startsWith(DELIMITER) || text[3] === '-') return null;
  // The rest of the opening line names the language ("---yaml"); none means YAML.
  let lineEnd = text.indexOf('\n');
  if (lineEnd < 0) lineEnd = text.length;
  else if (text[lineEnd - 1] === '\r') lineEnd--;
  const language = text.slice(DELIMITER.length, lineEnd).trim();
  if (!YAML_NAMES.has(language.toLowerCase())) {
    throw new FrontMatterRefused(`front matter: language ${JSON.stringify(truncate(language, 40))} is not allowed: only YAML front matter is read`);
  }
  const start = language ? lineEnd : DELIMITER.length;
  const close = text.indexOf(CLOSE, start);
  return text.slice(start, close < 0 ? text.length : close);
}

/**
 * The data of a file's YAML front matter ({} when it has none). Throws FrontMatterRefused for front matter in any
 * other language or holding too many values, and js-yaml's error (with its line) for broken YAML.
 */
export function readFrontMatter(text: string): unknown {
  const block = frontMatterBlock(text.startsWith('\uFEFF') ? text.slice(1) : text);
  if (block === null) return {};
  const simple = readSimpleYaml(block, FRONT_MATTER_VALUES_MAX);
  if (simple) return simple.value ?? {};
  const data: unknown = yaml.load(block, { schema: yaml.CORE_SCHEMA });
  if (holdsMoreThan(data, FRONT_MATTER_VALUES_MAX)) throw tooManyValues();
  return data ?? {};
}
