// The digest's heading, dated in the channel's own time zone: at 23:30 UTC it is already tomorrow in Tokyo.
import dayjs from 'dayjs';
import timezone from 'dayjs/plugin/timezone.js';
import utc from 'dayjs/plugin/utc.js';
import { displayText } from '../util/text.js';

dayjs.extend(utc);
dayjs.extend(timezone);

export const DEFAULT_DIGEST_TITLE = 'Daily digest';

// Our own bound: a heading is one line, and in a headlines digest the first stories share its message, so it must
// leave them most of the room.
const HEADING_MAX = 200;
// "<@&" + a role id (at most 20 digits) + "> ", with room to spare.
const ROLE_MENTION_ROOM = 32;
/** The longest opening line `headingLine` gives: what a message must keep free for it. */
export const HEADING_LINE_MAX = ROLE_MENTION_ROOM + '****'.length + HEADING_MAX;

/** "Daily digest — Thursday, 26 November". Throws a RangeError for a time zone that is not an IANA name. */
export function digestHeading(title: string, now: Date, timeZone: string): string {
  return `${title} — ${dayjs(now).tz(timeZone).format('dddd, D MMMM')}`;
}

/** The first message's opening line: the opted-in role's mention, if any, then the heading in bold. */
export function headingLine(title: string, now: Date, timeZone: string, roleId: string | null): string {
  const heading = `**${displayText(digestHeading(title, now, timeZone), HEADING_MAX)}**`;
  return roleId ? `<@&${roleId}> ${heading}` : heading;
}
