// Registering the slash commands: one bulk overwrite (PUT), which is what Discord recommends, after comparing with
// what is registered so the person deploying sees what changed.
import { Routes } from 'discord.js';
import type { REST } from 'discord.js';
import type { SlashCommand } from './commands/types.js';
import { CURRENT_USER_GUILDS_PAGE_MAX } from '../discord/limits.js';
import { plural } from '../util/text.js';

export interface DeployReport {
  scope: 'guild' | 'global';
  added: string[];
  updated: string[];
  removed: string[];
  unchanged: string[];
}

type Definition = SlashCommand['definition'];

// The fields a command is defined by; Discord adds others (id, version, application_id) that are not ours.
const DEFINING_FIELDS = ['type', 'name', 'description', 'options', 'default_member_permissions', 'contexts', 'integration_types', 'nsfw', 'name_localizations', 'description_localizations'] as const;

/**
 * A definition in a comparable form: keys sorted, and the values Discord treats as "not set" (null, false, empty
 * lists and maps) left out, since Discord returns some of those filled in and omits others.
 */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value === null || typeof value !== 'object') return value;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== null && v !== undefined && v !== false && !(Array.isArray(v) && v.length === 0))
    .map(([k, v]) => [k, canonical(v)] as const)
    .filter(([, v]) => !(typeof v === 'object' && v !== null && !Array.isArray(v) && Object.keys(v).length === 0))
    .sort(([a], [b]) => (a < b ? -1 : 1));
  return Object.fromEntries(entries);
}

function fingerprint(command: Record<string, unknown>): string {
  const picked = Object.fromEntries(DEFINING_FIELDS.map((field) => [field, command[field]]));
  picked.type ??= 1;
  if (picked.default_member_permissions !== undefined && picked.default_member_permissions !== null) {
    picked.default_member_permissions = String(picked.default_member_permissions);
  }
  return JSON.stringify(canonical(picked));
}

/** What registering `local` over `registered` changes, by command name. */
export function diffCommands(local: readonly Definition[], registered: readonly Record<string, unknown>[]): Omit<DeployReport, 'scope'> {
  const before = new Map(registered.map((c) => [String(c.name), c]));
  const report = { added: [] as string[], updated: [] as string[], removed: [] as string[], unchanged: [] as string[] };
  for (const command of local) {
    const previous = before.get(command.name);
    if (!previous) report.added.push(command.name);
    else if (fingerprint(previous) !== fingerprint(command as unknown as Record<string, unknown>)) report.updated.push(command.name);
    else report.unchanged.push(command.name);
  }
  report.removed = [...before.keys()].filter((name) => !local.some((c) => c.name === name));
  return report;
}

/** Registers `commands` for one guild (instant) or globally, replacing what was there, and says what changed. */
export async function deployCommands(rest: REST, applicationId: string, commands: readonly Definition[], guildId?: string): Promise<DeployReport> {
  const route = guildId ? Routes.applicationGuildCommands(applicationId, guildId) : Routes.applicationCommands(applicationId);
  const registered = (await rest.get(route)) as Record<string, unknown>[];
  const report = diffCommands(commands, registered);
  if (report.added.length + report.updated.length + report.removed.length > 0) await rest.put(route, { body: commands });
  return { scope: guildId ? 'guild' : 'global', ...report };
}

/** DISCORD_CLIENT_ID names another application than the token's: both ids and where to find the right one. */
export function clientIdMismatch(configured: string, actual: string): string {
  return `DISCORD_CLIENT_ID is ${configured}, but DISCORD_TOKEN is the bot of application ${actual}: copy the Application ID from the Discord developer portal (your application → General Information) into DISCORD_CLIENT_ID`;
}

/** The id of the application whose bot the REST client's token is: the right value for DISCORD_CLIENT_ID. */
export async function tokenApplicationId(rest: REST): Promise<string> {
  return ((await rest.get(Routes.currentApplication())) as { id: string }).id;
}

interface GuildSummary {
  id: string;
  name: string;
}

/** A place other than the one deployed to that holds commands of the same names: Discord shows each of them twice. */
export interface Duplicates {
  /** Undefined: the global commands. */
  guild?: GuildSummary;
  names: string[];
}

/**
 * The bot's servers to look through for server copies of global commands: the first page, which covers any bot
 * still being tried out, where guild commands are used; `more` when there are further pages that were not read.
 */
async function botGuilds(rest: REST): Promise<{ guilds: GuildSummary[]; more: boolean }> {
  const query = new URLSearchParams({ limit: String(CURRENT_USER_GUILDS_PAGE_MAX) });
  const guilds = (await rest.get(Routes.userGuilds(), { query })) as GuildSummary[];
  return { guilds, more: guilds.length === CURRENT_USER_GUILDS_PAGE_MAX };
}

/**
 * Where else `commands` are registered for this application: globally when deploying to `guildId`, in the bot's
 * servers when deploying globally. `more` says some servers were not looked at.
 */
export async function findDuplicates(rest: REST, applicationId: string, commands: readonly Definition[], guildId?: string): Promise<{ duplicates: Duplicates[]; more: boolean }> {
  const ours = new Set(commands.map((c) => c.name));
  const sameNames = (registered: unknown) => (registered as Record<string, unknown>[]).map((c) => String(c.name)).filter((name) => ours.has(name));
  if (guildId) {
    const names = sameNames(await rest.get(Routes.applicationCommands(applicationId)));
    return { duplicates: names.length ? [{ names }] : [], more: false };
  }
  const { guilds, more } = await botGuilds(rest);
  const duplicates: Duplicates[] = [];
  for (const guild of guilds) {
    const names = sameNames(await rest.get(Routes.applicationGuildCommands(applicationId, guild.id)));
    if (names.length) duplicates.push({ guild: { id: guild.id, name: guild.name }, names });
  }
  return { duplicates, more };
}

/** Removes every command of this application in one server (or, without `guildId`, the global ones); their names. */
export async function clearCommands(rest: REST, applicationId: string, guildId?: string): Promise<string[]> {
  const route = guildId ? Routes.applicationGuildCommands(applicationId, guildId) : Routes.applicationCommands(applicationId);
  const registered = (await rest.get(route)) as Record<string, unknown>[];
  if (registered.length > 0) await rest.put(route, { body: [] });
  return registered.map((c) => String(c.name));
}

/** Command names as a member types them: "/news, /digest". */
export const commandList = (names: readonly string[]): string => names.map((n) => `/${n}`).join(', ');

/** The report as the terminal shows it. */
export function formatDeployReport(report: DeployReport, where: string): string {
  const line = (label: string, names: string[]) => (names.length ? [`  ${label}: ${commandList(names)}`] : []);
  const changed = report.added.length + report.updated.length + report.removed.length;
  return [
    changed ? `Registered ${plural(report.added.length + report.updated.length + report.unchanged.length, 'command', 'commands')} ${where}:` : `Commands ${where} are already up to date:`,
    ...line('added', report.added),
    ...line('updated', report.updated),
    ...line('removed', report.removed),
    ...line('unchanged', report.unchanged),
  ].join('\n');
}
