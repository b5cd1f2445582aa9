// How much of one article file the bot reads and keeps. One hostile or broken file must cost a bounded slice of
// the heap and the event loop: a 5 MB title once froze searches for 20 s, a 12 MB file ran the bot out of memory.
// Every limit sits far above the real corpora (their largest value is given beside each).

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
