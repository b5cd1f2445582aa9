// Command latency with 50,000 articles: the real bot (src/main.ts in its own process) answers slash commands the
// sandbox's driver sends through the gateway, timed from the interaction sent to the answer received. Beside it,
// /help, which touches no article: the round trip of the sandbox, the gateway and discord.js alone.
import type { DiscordSandbox } from '../src/sandbox/server.js';
import { startSettledBot } from './helpers/bot-process.js';
import { corpusMissing, percentile, scaleContent, SCALE_ARTICLES } from './helpers/scale.js';
import type { BenchModule } from './run.js';

const GOAL_P99_MS = 50;
const SERIAL = 300;
const WARMUP = 30;
const CONCURRENT = 1000;
const IN_FLIGHT = 100;

// Words people would search a coronavirus news library for, some of two words, one misspelt.
const QUERIES = [
  'vaccine', 'nursing home', 'unemployment', 'masks', 'reopening plan', 'testing sites', 'hospital', 'lockdown protest',
  'school', 'stimulus checks', 'coronovirus deaths', 'meat plant', 'governor', 'restaurants reopen', 'prison', 'travel',
  'economy', 'antibody test', 'small business loans', 'hydroxychloroquine', 'coronavirus', 'covid vaccine',
];
const TOPIC_PREFIXES = ['', 'c', 'he', 'eco', 'pol', 'sp', 'Events', 'ment', 'tech', 'bus'];

type Kind = 'search' | 'autocomplete' | 'page';
type Op = () => Promise<unknown>;

/** The i-th operation of the mix: a search with words, a topic autocomplete keystroke, or Next on a search's page. */
function operation(sandbox: DiscordSandbox, i: number): { kind: Kind; op: Op } {
  const { driver } = sandbox;
  const query = QUERIES[i % QUERIES.length]!;
  switch (i % 3) {
    case 0:
      return { kind: 'search', op: () => driver.command('news', { subcommand: 'search', options: { query } }) };
    case 1:
      return { kind: 'autocomplete', op: () => driver.autocomplete('news', { name: 'topic', value: TOPIC_PREFIXES[i % TOPIC_PREFIXES.length]! }, { subcommand: 'search' }) };
    default:
      return { kind: 'page', op: async () => pages.next(sandbox, query) };
  }
}

type Button = { custom_id: string; label: string; disabled?: boolean };
const buttons = (body: unknown) => ((body as { components?: { components: Button[] }[] } | undefined)?.components ?? []).flatMap((r) => r.components);

/**
 * A search's reply per query, made once outside the timing, so that paging times the click alone: each click
 * presses Next on the message as it now is, or Previous once on the last page.
 */
const pages = {
  replies: new Map<string, string>(),
  async prepare(sandbox: DiscordSandbox): Promise<void> {
    for (const query of QUERIES) {
      const reply = await sandbox.driver.command('news', { subcommand: 'search', options: { query } });
      if (buttons(reply.body).length) this.replies.set(query, reply.id);
    }
  },
  next(sandbox: DiscordSandbox, query: string): Promise<unknown> {
    const id = this.replies.get(query) ?? [...this.replies.values()][0];
    if (!id) throw new Error('no search had a second page to click to');
    const shown = buttons(sandbox.driver.message(id));
    const press = shown.find((b) => b.label.startsWith('Next') && !b.disabled) ?? shown.find((b) => !b.disabled)!;
    return sandbox.driver.click({ id }, press.custom_id);
  },
};

interface Sample { kind: Kind | 'help'; ms: number }

async function timed(kind: Sample['kind'], op: Op): Promise<Sample> {
  const started = performance.now();
  await op();
  return { kind, ms: performance.now() - started };
}

async function oneAtATime(count: number, pick: (i: number) => { kind: Sample['kind']; op: Op }): Promise<Sample[]> {
  const samples: Sample[] = [];
  for (let i = 0; i < count; i++) {
    const { kind, op } = pick(i);
    samples.push(await timed(kind, op));
  }
  return samples;
}

async function inFlight(sandbox: DiscordSandbox, count: number, width: number): Promise<{ samples: Sample[]; ms: number }> {
  const samples: Sample[] = [];
  let next = 0;
  const started = performance.now();
  const lane = async () => {
    for (let i = next++; i < count; i = next++) {
      const { kind, op } = operation(sandbox, i);
      samples.push(await timed(kind, op));
    }
  };
  await Promise.all(Array.from({ length: width }, lane));
  return { samples, ms: performance.now() - started };
}

function row(name: string, samples: readonly Sample[], extra = ''): string {
  const ms = samples.map((s) => s.ms);
  return `| ${name} | ${ms.length} | ${percentile(ms, 50).toFixed(1)} | ${percentile(ms, 99).toFixed(1)} | ${Math.max(...ms).toFixed(1)} | ${extra} |`;
}

const bench: BenchModule = {
  title: `slash command latency with ${SCALE_ARTICLES.toLocaleString('en')} articles (goal p99 < ${GOAL_P99_MS} ms one at a time)`,
  async run() {
    const missing = corpusMissing();
    if (missing) return missing;
    const { sandbox, articles, close } = await startSettledBot(scaleContent());
    try {
      await pages.prepare(sandbox);
      await oneAtATime(WARMUP, (i) => operation(sandbox, i));
      const baseline = await oneAtATime(SERIAL / 3, () => ({ kind: 'help', op: () => sandbox.driver.command('help') }));
      const serial = await oneAtATime(SERIAL, (i) => operation(sandbox, WARMUP + i));
      const parallel = await inFlight(sandbox, CONCURRENT, IN_FLIGHT);
      const p99 = percentile(serial.map((s) => s.ms), 99);
      const of = (samples: readonly Sample[], kind: Kind) => samples.filter((s) => s.kind === kind);
      const perSecond = `${Math.round(CONCURRENT / (parallel.ms / 1000))} answers/s`;
      return [
        `The bot (src/main.ts in a child process, warm start) with ${articles.toLocaleString('en')} articles made from the real coronavirus corpus;`,
        'latency in milliseconds from the interaction dispatched by the sandbox driver to the answer received by the sandbox.',
        `Mix: a third each of \`/news search query:…\` (${QUERIES.length} queries, one misspelt), topic autocomplete keystrokes, and Next on a`,
        `search's results. Measured once the library's start-up warm-up is over, after ${WARMUP} warm-up operations. Baseline: \`/help\`, which reads no article.`,
        '',
        '| case | answers | p50 | p99 | max | |',
        '| --- | ---: | ---: | ---: | ---: | --- |',
        row('baseline: /help, one at a time', baseline),
        row('mix, one at a time', serial, `goal p99 < ${GOAL_P99_MS} ms: ${p99 < GOAL_P99_MS ? 'met' : '**missed**'}`),
        ...(['search', 'autocomplete', 'page'] as const).map((kind) => row(`↳ ${kind}`, of(serial, kind))),
        row(`mix, ${IN_FLIGHT} in flight`, parallel.samples, perSecond),
        ...(['search', 'autocomplete', 'page'] as const).map((kind) => row(`↳ ${kind}`, of(parallel.samples, kind))),
      ].join('\n');
    } finally {
      await close();
    }
  },
};

export default bench;
