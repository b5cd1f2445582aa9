// The headlines layout: no embeds, a plain line per story in the message text, as many messages as the text limit
// needs. The links are wrapped in <…> so Discord does not add a preview of every story under the list.
import { MESSAGE_CONTENT_MAX } from '../discord/limits.js';
import type { Story } from './choose.js';
import { HEADING_LINE_MAX } from './header.js';
import { storyLine } from './layout-lines.js';
import { packLines } from './pack.js';

// Any line fits beside the longest heading, so the first message always carries a story.
const LINE_MAX = MESSAGE_CONTENT_MAX - HEADING_LINE_MAX - '\n'.length;

/** The contents of a headlines digest, the first opening with `heading`, each with the stories it lists. */
export function headlineContents(stories: readonly Story[], heading: string): { content: string; stories: Story[] }[] {
  const lines = stories.map((story) => ({ story, line: storyLine(story, { max: LINE_MAX, noPreview: true }) }));
  const room = (message: number) => (message === 0 ? MESSAGE_CONTENT_MAX - heading.length - '\n'.length : MESSAGE_CONTENT_MAX);
  return packLines(lines, (l) => l.line, room).map((group, index) => ({
    content: [...(index === 0 ? [heading] : []), ...group.map((l) => l.line)].join('\n'),
    stories: group.map((l) => l.story),
  }));
}
