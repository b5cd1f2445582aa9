// Runs the benchmarks (bench/*.bench.ts) one after another and writes each one's section into BENCHMARKS.md.
// `npm run bench -- NAME…` runs only the named ones and leaves the other sections as they were.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export interface BenchModule {
  /** One line saying what the benchmark measures, for the console. */
  title: string;
  /** Runs the measurement and returns its Markdown section (tables beside their baselines). */
  run(): Promise<string>;
}

const here = path.dirname(fileURLToPath(import.meta.url));
const reportPath = path.join(here, '..', 'BENCHMARKS.md');
const wanted = process.argv.slice(2);
const names = fs
  .readdirSync(here)
  .filter((f) => f.endsWith('.bench.ts'))
  .map((f) => f.replace(/\.bench\.ts$/, ''))
  .filter((n) => wanted.length === 0 || wanted.includes(n))
  .sort();

const HEADER = `# Benchmarks

Produced by \`npm run bench\` (each section by \`npm run bench -- NAME\`). Every figure stands beside its baseline or
goal measured in the same run, on the machine named in the section. These machines are shared: treat single runs
as indicative and compare ratios, not absolute times.
`;

function sections(text: string): Map<string, string> {
  const found = new Map<string, string>();
  for (const m of text.matchAll(/<!-- bench:(\S+) -->\n([\s\S]*?)<!-- \/bench:\1 -->/g)) found.set(m[1]!, m[2]!);
  return found;
}

const readReport = (): Map<string, string> => (fs.existsSync(reportPath) ? sections(fs.readFileSync(reportPath, 'utf8')) : new Map<string, string>());
const machine = `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}`;

const measured = new Map<string, string>();
for (const name of names) {
  const mod = (await import(pathToFileURL(path.join(here, `${name}.bench.ts`)).href)) as { default: BenchModule };
  console.log(`\n## ${name}: ${mod.default.title}`);
  const body = await mod.default.run();
  console.log(body);
  measured.set(name, `${body.trim()}\n\n_Run ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC on ${machine}._\n`);
}

// Read again at the end, not at the start: a run of another section that finished meanwhile keeps its figures.
const existing = new Map([...readReport(), ...measured]);
const ordered = [...existing.keys()].sort();
fs.writeFileSync(reportPath, HEADER + ordered.map((n) => `\n<!-- bench:${n} -->\n${existing.get(n)}<!-- /bench:${n} -->\n`).join(''));
console.log(`\nWrote ${path.relative(process.cwd(), reportPath)} (${ordered.length} sections).`);
