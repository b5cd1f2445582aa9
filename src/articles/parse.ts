// From a file's bytes to a normalised article: the YAML step (the expensive one, which the parse cache avoids).
import { isUtf8 } from 'node:buffer';
import { FrontMatterRefused, readFrontMatter } from './front-matter.js';
import { normalizeArticle, type NormalizeResult } from './normalize.js';

interface YamlError {
  reason?: string;
  mark?: { line?: number };
}

/**
 * Parses the front matter of one Markdown file and normalises it. Broken YAML is a rejection whose reason names
 * the line (1-based), like every other reason a file can be skipped for.
 */
export function parseArticleText(text: string, sourcePath: string): NormalizeResult {
  let data: unknown;
  try {
    data = readFrontMatter(text);
  } catch (error) {
    if (error instanceof FrontMatterRefused) return { ok: false, reason: error.message };
    const { reason, mark } = error as YamlError;
    const line = typeof mark?.line === 'number' ? ` line ${mark.line + 1}` : '';
    return { ok: false, reason: `YAML${line}: ${reason ?? String(error)}` };
  }
  return normalizeArticle(data, sourcePath);
}

const SAVE_AS_UTF8 = 'save it as UTF-8';

/**
 * Why `bytes` are not UTF-8 text, or null when they are. Decided on the bytes: decoded, a UTF-16 file is a run of
 * NULs and replacement characters in which no front matter is found, and was reported as "title: is missing".
 */
function encodingProblem(bytes: Buffer): string | null {
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) return `encoding: the file is UTF-16; ${SAVE_AS_UTF8}`;
  if (bytes.includes(0)) return `encoding: the file holds NUL bytes (UTF-16 or UTF-32 text, or not text at all); ${SAVE_AS_UTF8}`;
  if (!isUtf8(bytes)) return `encoding: the file is not valid UTF-8; ${SAVE_AS_UTF8}`;
  return null;
}

/** parseArticleText() for a file's bytes, which must be UTF-8 (a UTF-8 byte order mark is fine). */
export function parseArticleBytes(bytes: Buffer, sourcePath: string): NormalizeResult {
  const problem = encodingProblem(bytes);
  return problem ? { ok: false, reason: problem } : parseArticleText(bytes.toString('utf8'), sourcePath);
}
