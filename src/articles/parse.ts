// From a file's text to a normalised article: the YAML step (the expensive one, which the parse cache avoids).
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
