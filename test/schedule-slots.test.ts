import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { localDay, nextSlot, previousSlot, slotOn } from '../src/schedule/slots.js';
import { defaultMaxAgeHours, describeWeekdays, parseWeekdays } from '../src/schedule/days.js';

const iso = (d: Date) => d.toISOString();

test('08:00 in Paris and New York stays 08:00 local across the daylight-saving changes', () => {
  // Paris: CET (UTC+1) until 2026-03-29, CEST (UTC+2) until 2026-10-25.
  assert.equal(iso(slotOn('2026-03-28', '08:00', 'Europe/Paris')), '2026-03-28T07:00:00.000Z');
  assert.equal(iso(slotOn('2026-03-29', '08:00', 'Europe/Paris')), '2026-03-29T06:00:00.000Z');
  assert.equal(iso(slotOn('2026-10-25', '08:00', 'Europe/Paris')), '2026-10-25T07:00:00.000Z');
  // New York: EST (UTC-5) until 2026-03-08, EDT (UTC-4) until 2026-11-01.
  assert.equal(iso(slotOn('2026-03-07', '08:00', 'America/New_York')), '2026-03-07T13:00:00.000Z');
  assert.equal(iso(slotOn('2026-03-08', '08:00', 'America/New_York')), '2026-03-08T12:00:00.000Z');
  assert.equal(iso(slotOn('2026-11-01', '08:00', 'America/New_York')), '2026-11-01T13:00:00.000Z');
});

test('a time that does not exist on a spring-forward day runs at the instant the clocks jump', () => {
  // 02:30 is skipped in Paris on 2026-03-29 (02:00 CET → 03:00 CEST) and in New York on 2026-03-08.
  assert.equal(iso(slotOn('2026-03-29', '02:30', 'Europe/Paris')), '2026-03-29T01:00:00.000Z');
  assert.equal(iso(slotOn('2026-03-08', '02:30', 'America/New_York')), '2026-03-08T07:00:00.000Z');
  assert.equal(iso(nextSlot(new Date('2026-03-28T02:00:00Z'), { time: '02:30', timezone: 'Europe/Paris' })), '2026-03-29T01:00:00.000Z');
});

test('a time repeated on a fall-back day is one slot, its first occurrence', () => {
  // 02:30 happens twice in Paris on 2026-10-25 (00:30Z in CEST, 01:30Z in CET); 01:30 twice in New York on 2026-11-01.
  assert.equal(iso(slotOn('2026-10-25', '02:30', 'Europe/Paris')), '2026-10-25T00:30:00.000Z');
  assert.equal(iso(slotOn('2026-11-01', '01:30', 'America/New_York')), '2026-11-01T05:30:00.000Z');
  // At the second 01:30 the latest slot is still the first one, so a timer firing again finds it already run.
  assert.equal(iso(previousSlot(new Date('2026-11-01T06:30:00Z'), { time: '01:30', timezone: 'America/New_York' })), '2026-11-01T05:30:00.000Z');
  assert.equal(iso(nextSlot(new Date('2026-11-01T05:30:00Z'), { time: '01:30', timezone: 'America/New_York' })), '2026-11-02T06:30:00.000Z');
});

test('previous and next slot around the slot itself', () => {
  const at = new Date('2026-06-10T06:00:00Z'); // 08:00 in Paris
  assert.equal(iso(previousSlot(at, { time: '08:00', timezone: 'Europe/Paris' })), iso(at));
  assert.equal(iso(nextSlot(at, { time: '08:00', timezone: 'Europe/Paris' })), '2026-06-11T06:00:00.000Z');
  const before = new Date(at.getTime() - 1);
  assert.equal(iso(previousSlot(before, { time: '08:00', timezone: 'Europe/Paris' })), '2026-06-09T06:00:00.000Z');
  assert.equal(iso(nextSlot(before, { time: '08:00', timezone: 'Europe/Paris' })), iso(at));
});

test('for any instant, zone and time: previous ≤ now < next, both read the time on their local day, and next follows previous', () => {
  const zones = ['Europe/Paris', 'America/New_York', 'Australia/Lord_Howe', 'Asia/Kolkata', 'UTC', 'America/Santiago'];
  const hhmm = fc.tuple(fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 })).map(([h, m]) => `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`);
  const instant = fc.integer({ min: Date.parse('2025-01-01T00:00:00Z'), max: Date.parse('2028-12-31T00:00:00Z') }).map((ms) => new Date(ms));
  fc.assert(
    fc.property(instant, fc.constantFrom(...zones), hhmm, (now, zone, time) => {
      const previous = previousSlot(now, { time, timezone: zone });
      const next = nextSlot(now, { time, timezone: zone });
      assert.ok(previous <= now && now < next);
      // Consecutive slots are on consecutive local days, so a day is never run twice nor skipped.
      assert.equal(iso(nextSlot(previous, { time, timezone: zone })), iso(next));
      const wall = new Intl.DateTimeFormat('en-GB', { timeZone: zone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
      for (const slot of [previous, next]) {
        const shown = wall.format(slot);
        // The local time reads `time`, except on a spring-forward day where `time` does not exist and it runs later.
        if (shown !== time) assert.ok(shown > time && slotOn(localDay(slot, zone), time, zone).getTime() === slot.getTime(), `${zone} ${time} shows ${shown}`);
      }
    }),
    { numRuns: 400 },
  );
});

test('a weekdays digest skips the weekend, a weekly one waits a week, and both cross a DST change on their own day', () => {
  const weekdays = { time: '08:00', timezone: 'Europe/Paris', days: parseWeekdays('weekdays')! };
  // Friday 2026-03-27 09:00 Paris: the next run is Monday, after the clocks moved forward on Sunday.
  const friday = new Date('2026-03-27T08:00:00Z');
  assert.equal(iso(nextSlot(friday, weekdays)), '2026-03-30T06:00:00.000Z');
  assert.equal(iso(previousSlot(new Date('2026-03-29T12:00:00Z'), weekdays)), '2026-03-27T07:00:00.000Z');
  const weekly = { time: '18:30', timezone: 'America/New_York', days: parseWeekdays('friday')! };
  assert.equal(iso(nextSlot(new Date('2026-11-06T23:31:00Z'), weekly)), '2026-11-13T23:30:00.000Z');
  assert.equal(iso(previousSlot(new Date('2026-11-06T23:29:00Z'), weekly)), '2026-10-30T22:30:00.000Z');
});

test('days read as members type them, and name themselves back', () => {
  assert.deepEqual(parseWeekdays(' Mon, wed FRIDAY '), [1, 3, 5]);
  assert.deepEqual(parseWeekdays('Every day'), []);
  assert.deepEqual(parseWeekdays('sun,mon,tue,wed,thu,fri,sat'), []);
  assert.deepEqual(parseWeekdays('thursdays'), [4]);
  for (const bad of ['mo', 'someday', 'mon;tue', ',']) assert.equal(parseWeekdays(bad), null, bad);
  assert.equal(describeWeekdays(parseWeekdays('weekdays')!), 'weekdays');
  assert.equal(describeWeekdays([5]), 'Fridays');
  assert.equal(describeWeekdays([1, 3]), 'Mon, Wed');
  assert.equal(defaultMaxAgeHours([]), 48);
  assert.equal(defaultMaxAgeHours([5]), 8 * 24);
  assert.equal(defaultMaxAgeHours([1, 2, 3, 4, 5]), 4 * 24);
});
