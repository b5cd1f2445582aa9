// The topics and outlets a digest filters on, as members type them: several, separated by commas, each one the
// library knows. A name it does not know is refused with the nearest ones it does, never saved: a digest filtering
// on a typo would stay silent forever.
import type { ApplicationCommandOptionChoiceData } from 'discord.js';
import type { NewsLibrary } from '../../context.js';
import { AUTOCOMPLETE_CHOICE_NAME_MAX, AUTOCOMPLETE_CHOICE_VALUE_MAX } from '../../../discord/limits.js';
import { editDistance } from '../../../util/editDistance.js';
import { displayText, foldForMatch, truncate } from '../../../util/text.js';

export type FacetKind = 'topics' | 'providers';
export const LIST_MAX = 10;
// How many of the most used names a typo is compared with: enough for every real corpus's topics in practice.
const SUGGESTION_POOL = 5000;

interface Named {
  /** What is stored and matched: a topic's name, an outlet's domain. */
  value: string;
  /** What members read. */
  label: string;
  count: number;
}

function facets(library: NewsLibrary, kind: FacetKind, query: string, limit: number): Named[] {
  return kind === 'topics'
    ? library.topics(query, limit).map((t) => ({ value: t.name, label: t.name, count: t.count }))
    : library.providers(query, limit).map((p) => ({ value: p.domain, label: p.name === p.domain ? p.domain : `${p.name} (${p.domain})`, count: p.count }));
}

function find(library: NewsLibrary, kind: FacetKind, typed: string): string | undefined {
  return kind === 'topics' ? library.findTopic(typed)?.name : library.findProvider(typed)?.domain;
}

/** The known names nearest a typo: those containing it first, then those a few letters away. */
function suggestions(library: NewsLibrary, kind: FacetKind, typed: string): string[] {
  const key = foldForMatch(typed);
  const containing = facets(library, kind, typed, 3).map((f) => f.label);
  const near = facets(library, kind, '', SUGGESTION_POOL)
    .map((f) => ({ f, distance: Math.min(editDistance(key, foldForMatch(f.value)), editDistance(key, foldForMatch(f.label))) }))
    .filter(({ distance }) => distance <= Math.max(1, Math.floor(key.length / 4)))
    .sort((a, b) => a.distance - b.distance || b.f.count - a.f.count)
    .map(({ f }) => f.label);
  return [...new Set([...containing, ...near])].slice(0, 3);
}

export function splitList(raw: string | null): string[] {
  return [...new Set((raw ?? '').split(',').map((item) => item.trim()).filter(Boolean))];
}

const WORDS: Record<FacetKind, { one: string; list: string }> = {
  topics: { one: 'topic', list: '`/news topics`' },
  providers: { one: 'outlet', list: '`/news providers`' },
};

/** Each typed name as the library knows it, or a message naming the first unknown one and what it might be. */
export function readFacetList(raw: string, kind: FacetKind, library: NewsLibrary): { ok: true; values: string[] } | { ok: false; message: string } {
  const typed = splitList(raw);
  if (typed.length > LIST_MAX) return { ok: false, message: `Name at most ${LIST_MAX} ${kind === 'topics' ? 'topics' : 'outlets'} (you named ${typed.length}).` };
  const values: string[] = [];
  for (const name of typed) {
    const known = find(library, kind, name);
    if (known !== undefined) {
      values.push(known);
      continue;
    }
    const near = suggestions(library, kind, name);
    const hint = near.length > 0 ? `Did you mean ${near.map((n) => `“${displayText(n, 80)}”`).join(', ')}?` : `See ${WORDS[kind].list} for the ones there are.`;
    return { ok: false, message: `No article has the ${WORDS[kind].one} “${displayText(name, 80)}”. ${hint} Nothing was changed.` };
  }
  return { ok: true, values: [...new Set(values)] };
}

/**
 * Autocomplete for a comma-separated list: the names completing the last item, each choice's value being the whole
 * list with that item completed (choices whose value Discord would refuse as too long are left out).
 */
export function facetListChoices(typed: string, kind: FacetKind, library: NewsLibrary, limit: number): ApplicationCommandOptionChoiceData[] {
  const cut = typed.lastIndexOf(',');
  const done = splitList(cut === -1 ? '' : typed.slice(0, cut));
  const prefix = done.length > 0 ? `${done.join(', ')}, ` : '';
  const chosen = new Set(done.map((d) => foldForMatch(d)));
  return facets(library, kind, typed.slice(cut + 1).trim(), limit + done.length)
    .filter((f) => !chosen.has(foldForMatch(f.value)))
    .map((f) => ({ name: truncate(`${prefix}${f.label} (${f.count})`, AUTOCOMPLETE_CHOICE_NAME_MAX), value: `${prefix}${f.value}` }))
    .filter((choice) => choice.value.length <= AUTOCOMPLETE_CHOICE_VALUE_MAX)
    .slice(0, limit);
}
