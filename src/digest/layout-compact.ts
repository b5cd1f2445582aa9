// The compact layout: one embed listing the stories a line each (more embeds only when Discord's limits force it),
// with the other outlets named briefly, and the first story's picture if wanted.
import type { APIEmbed } from 'discord.js';
import { EMBED_DESCRIPTION_MAX } from '../discord/limits.js';
import type { Story } from './choose.js';
import { colourOf, moreLine, outletName, pictureOf } from './embed.js';
import type { ImageSize } from './layout.js';
import { lineText, storyLine } from './layout-lines.js';
import { packLines } from './pack.js';

// Our own lengths: the other outlets are a hint after the line, not a second list.
const ALSO_MAX = 100;
const ALSO_OUTLET_MAX = 40;

/** "also: Outlet A, Outlet B and 3 more", within ALSO_MAX, or null when there is no other outlet or none fits. */
function alsoText(story: Story): string | null {
  const names = story.related.map((piece) => lineText(outletName(piece), ALSO_OUTLET_MAX));
  const all = `also: ${names.join(', ')}`;
  if (names.length > 0 && all.length <= ALSO_MAX) return all;
  let fitting: string | null = null;
  for (let shown = 1; shown < names.length; shown++) {
    const text = `also: ${names.slice(0, shown).join(', ')} ${moreLine(names.length - shown)}`;
    if (text.length > ALSO_MAX) break;
    fitting = text;
  }
  return fitting;
}

/** The embeds of a compact digest, each with the stories it lists, in rank order. */
export function compactEmbeds(stories: readonly Story[], images: ImageSize): { embed: APIEmbed; stories: Story[] }[] {
  const lines = stories.map((story) => ({ story, line: storyLine(story, { max: EMBED_DESCRIPTION_MAX, noPreview: false, extra: alsoText(story) ?? undefined }) }));
  return packLines(lines, (l) => l.line, () => EMBED_DESCRIPTION_MAX).map((group, index) => {
    const listed = group.map((l) => l.story);
    const embed: APIEmbed = { color: colourOf(listed[0]!.lead), description: group.map((l) => l.line).join('\n') };
    // The picture belongs to the first story, which the first embed lists first.
    if (index === 0) Object.assign(embed, pictureOf(listed[0]!.lead, images));
    return { embed, stories: listed };
  });
}
