// Front matter is read as data, never run as code. gray-matter chooses a parser from the opening line: "---js" or
// "---javascript" asks for its JavaScript engine, which evals the block, so a dropped-in file could run anything in
// the bot. Only YAML is read, with js-yaml's CORE_SCHEMA, which builds plain strings, numbers, booleans, nulls,
// lists and maps: no dates, no !!binary, no merge keys, no custom tags.
import matter from 'gray-matter';
import yaml from 'js-yaml';
import { truncate } from '../util/text.js';
import { FRONT_MATTER_VALUES_MAX } from './limits.js';

/** Front matter that is not read, with the reason a file is skipped for it. */
export class FrontMatterRefused extends Error {}

const YAML_NAMES = new Set(['', 'yaml', 'yml']);

const readYaml = (block: string): object => yaml.load(block, { schema: yaml.CORE_SCHEMA }) as object;

function refuse(language: string): never {
  throw new FrontMatterRefused(`front matter: language ${JSON.stringify(truncate(language, 40))} is not allowed: only YAML front matter is read`);
}

// gray-matter's own engines (yaml, json, javascript) and every alias it resolves are replaced: should its reading
// of the opening line ever differ from languageOf() below, a block still cannot be evaluated. Names it does not
// know at all make it throw.
const ENGINES: Record<string, (block: string) => object> = { yaml: readYaml, yml: readYaml };
for (const name of ['json', 'javascript', 'js', 'coffee', 'coffeescript', 'cson']) ENGINES[name] = () => refuse(name);

/** The language named after the opening "---", as gray-matter reads it ("" for none, or for no front matter). */
function languageOf(text: string): string {
  if (!text.startsWith('---') || text[3] === '-') return '';
  const end = text.search(/\r?\n/);
  return text.slice(3, end < 0 ? undefined : end).trim();
}

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

/**
 * The data of a file's YAML front matter ({} when it has none). Throws FrontMatterRefused for front matter in any
 * other language or holding too many values, and js-yaml's error (with its line) for broken YAML.
 */
export function readFrontMatter(text: string): unknown {
  const body = text.startsWith('\uFEFF') ? text.slice(1) : text;
  const language = languageOf(body);
  if (!YAML_NAMES.has(language.toLowerCase())) refuse(language);
  // Passing options also turns off gray-matter's global cache, which would otherwise keep every file's text alive.
  const data: unknown = matter(body, { engines: ENGINES }).data;
  if (holdsMoreThan(data, FRONT_MATTER_VALUES_MAX)) {
    throw new FrontMatterRefused(`front matter: more than ${FRONT_MATTER_VALUES_MAX.toLocaleString('en-US')} values, counting each use of a YAML alias: far more than an article holds (an alias bomb?): trim it`);
  }
  return data;
}
