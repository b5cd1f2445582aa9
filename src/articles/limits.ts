// How much of one article file the bot reads and keeps. One hostile or broken file must cost a bounded slice of
// the heap and the event loop: a 5 MB title once froze searches for 20 s, a 12 MB file ran the bot out of memory.
// Every limit sits far above the real corpora (their largest value is given beside each).
import { truncate } from '../util/clean-text.js';

/** Larger files are skipped unread (real: 143 KB). */
export const ARTICLE_FILE_MAX_BYTES = 1024 * 1024;
const ARTICLE_FILE_MAX_TEXT = '1 MiB';

/** Values in the front matter, a YAML alias counted each time it is used (real: 2,759). */
export const FRONT_MATTER_VALUES_MAX = 200_000;

// Longer fields are cut, before any decoding, and the article served.
/** An article's or a related story's title, in characters (real: 180). */
export const TITLE_MAX = 2_000;
/** Real: 505. */
export const EXCERPT_MAX = 10_000;
/** An outlet's name or domain (real: 139). */
export const NAME_MAX = 500;
/** One topic's name (real: 26). */
export const TOPIC_NAME_MAX = 200;

// Longer lists are cut to their first entries.
/** Real: 8. */
export const TOPICS_MAX = 100;
/** Real: 179. */
export const RELATED_MAX = 1_000;
/** Pictures of an article or an outlet (real: 2). */
export const IMAGES_MAX = 50;

/** The skip reason of a file over ARTICLE_FILE_MAX_BYTES. */
export function fileTooLarge(bytes: number): string {
  return `file is ${(bytes / 1e6).toFixed(1)} MB, over the ${ARTICLE_FILE_MAX_TEXT} limit for an article file: split or trim it`;
}

type Fields = Record<string, unknown>;
/** A YAML map (not a list, not null). */
export const isFields = (value: unknown): value is Fields => value !== null && typeof value === 'object' && !Array.isArray(value);

/** Cuts long texts and lists, and remembers what it cut for the one log line that says so. */
class Cutter {
  private cuts: Map<string, { count: number; largest: number; max: number; unit: string }> | undefined;

  text(value: unknown, max: number, what: string): unknown {
    if (typeof value !== 'string' || value.length <= max) return value;
    this.note(what, value.length, max, 'characters');
    return truncate(value, max);
  }

  list(value: unknown, max: number, what: string): unknown {
    if (!Array.isArray(value) || value.length <= max) return value;
    this.note(what, value.length, max, 'entries');
    return value.slice(0, max);
  }

  /** "title: 5,000,000 characters, cut to 2,000", "related titles: 3 cut to 2,000 characters (the longest 9,000)". */
  describe(): string[] {
    if (!this.cuts) return [];
    const n = (x: number) => x.toLocaleString('en-US');
    return [...this.cuts].map(([what, { count, largest, max, unit }]) =>
      count === 1 ? `${what}: ${n(largest)} ${unit}, cut to ${n(max)}` : `${what}: ${n(count)} cut to ${n(max)} ${unit} (the longest ${n(largest)})`,
    );
  }

  private note(what: string, size: number, max: number, unit: string): void {
    this.cuts ??= new Map();
    const cut = this.cuts.get(what);
    if (cut) [cut.count, cut.largest] = [cut.count + 1, Math.max(cut.largest, size)];
    else this.cuts.set(what, { count: 1, largest: size, max, unit });
  }
}

// Nothing is copied unless something is cut: nearly every real file is within every limit, and copying each one's
// fields was a tenth of parsing it.

/** `list` with `cut` applied to each entry: the same array when no entry changed. */
function cutEach(list: unknown[], cut: (entry: unknown) => unknown): unknown[] {
  let out: unknown[] | undefined;
  list.forEach((entry, i) => {
    const after = cut(entry);
    if (after !== entry) (out ??= list.slice())[i] = after;
  });
  return out ?? list;
}

function cutProvider(raw: unknown, cut: Cutter, what: string): unknown {
  if (!isFields(raw)) return raw;
  const [name, domain, images] = [cut.text(raw.name, NAME_MAX, `${what} name`), cut.text(raw.domain, NAME_MAX, `${what} domain`), cut.list(raw.images, IMAGES_MAX, `${what} images`)];
  return name === raw.name && domain === raw.domain && images === raw.images ? raw : { ...raw, name, domain, images };
}

function cutRelated(entry: unknown, cut: Cutter): unknown {
  if (!isFields(entry)) return entry;
  const [title, provider] = [cut.text(entry.title, TITLE_MAX, 'related titles'), cutProvider(entry.provider, cut, 'related provider')];
  return title === entry.title && provider === entry.provider ? entry : { ...entry, title, provider };
}

/**
 * The front matter with every field the bot reads cut to its limit, before any decoding or validation does work in
 * proportion to its length; and what was cut, one note per field (empty when nothing was).
 */
export function cutToLimits(frontMatter: unknown): { data: unknown; cuts: string[] } {
  if (!isFields(frontMatter)) return { data: frontMatter, cuts: [] };
  const cut = new Cutter();
  const topics = cut.list(frontMatter.topics, TOPICS_MAX, 'topics');
  const related = cut.list(frontMatter.related, RELATED_MAX, 'related');
  const cutFields: Fields = {
    title: cut.text(frontMatter.title, TITLE_MAX, 'title'),
    excerpt: cut.text(frontMatter.excerpt, EXCERPT_MAX, 'excerpt'),
    provider: cutProvider(frontMatter.provider, cut, 'provider'),
    images: cut.list(frontMatter.images, IMAGES_MAX, 'images'),
    topics: Array.isArray(topics) ? cutEach(topics, (t) => cut.text(t, TOPIC_NAME_MAX, 'topic names')) : topics,
    related: Array.isArray(related) ? cutEach(related, (r) => cutRelated(r, cut)) : related,
  };
  const cuts = cut.describe();
  return { data: cuts.length ? { ...frontMatter, ...cutFields } : frontMatter, cuts };
}
