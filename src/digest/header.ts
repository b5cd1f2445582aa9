// The digest's heading, dated in the channel's own time zone: at 23:30 UTC it is already tomorrow in Tokyo.
import dayjs from 'dayjs';
import timezone from 'dayjs/plugin/timezone.js';
import utc from 'dayjs/plugin/utc.js';

dayjs.extend(utc);
dayjs.extend(timezone);

export const DEFAULT_DIGEST_TITLE = 'Daily digest';

/** "Daily digest — Thursday, 26 November". Throws a RangeError for a time zone that is not an IANA name. */
export function digestHeading(title: string, now: Date, timeZone: string): string {
  return `${title} — ${dayjs(now).tz(timeZone).format('dddd, D MMMM')}`;
}
