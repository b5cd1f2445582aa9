// The sandbox's terminal shows every digest layout as a member would read it: timestamps as times in the reader's
// zone, content-only messages as their lines, thumbnails named, escaped mentions as typed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Story } from '../src/digest/choose.js';
import { digestMessages } from '../src/digest/messages.js';
import { renderMessage } from '../src/sandbox/render.js';
import { NOW, article, coverage, outlet } from './fixtures/digest/articles.js';

const paris = { now: NOW, timeZone: 'Europe/Paris' };
const lead = article('rates', { title: 'Rates <@&123456789012345678> held', provider: { name: 'Example Times', domain: 'times.example.com', iconUrl: null } });
const related = [coverage('https://wire.example.net/rates', outlet('wire.example.net', 'Example Wire'))];
const story: Story = { lead: { ...lead, related }, related, urls: [] };
const roles = (kind: string, id: string) => (kind === '@&' && id === '123456789012345678' ? '@Editors' : undefined);

test('Discord timestamps read as times: relative to now, or in the reader\u2019s zone in each style', () => {
  const at = 1795676400; // 2026-11-26T07:00:00Z, an hour before NOW
  const text = `<t:${at}:R>|<t:${at + 7200}:R>|<t:${at}:f>|<t:${at}>|<t:${at}:F>|<t:${at}:t>|<t:${at}:d>|<t:${at}:D>|<t:${at}:x>`;
  assert.equal(
    renderMessage({ content: text }, undefined, paris),
    `1 h ago|in 1 h|26 November 2026 08:00|26 November 2026 08:00|Thursday, 26 November 2026 08:00|08:00|26/11/2026|26 November 2026|<t:${at}:x>`,
  );
  assert.equal(renderMessage({ content: `<t:${at}:t>` }, undefined, { now: NOW, timeZone: 'Asia/Tokyo' }), '16:00');
});

test('a headlines digest reads as its heading and one line per story, with the time and no escapes left over', () => {
  const [payload] = digestMessages([story], { now: NOW, timezone: 'UTC', layout: 'headlines', mentionRoleId: '123456789012345678' }).payloads;
  assert.equal(renderMessage(payload, roles, paris), [
    '@Editors **Daily digest — Thursday, 26 November**',
    '• Rates <@&123456789012345678> held (https://news.example.com/rates) — Example Times 1 h ago',
  ].join('\n'));
});

test('a compact digest reads as one block of lines with the other outlets and the first story\u2019s thumbnail', () => {
  const [payload] = digestMessages([story], { now: NOW, timezone: 'UTC', layout: 'compact', images: 'thumbnail' }).payloads;
  assert.equal(renderMessage(payload, roles, paris), [
    '**Daily digest — Thursday, 26 November**',
    '  ┌',
    '  │ • Rates <@&123456789012345678> held (https://news.example.com/rates) — Example Times 1 h ago · also: Example Wire',
    '  │ [thumbnail] https://images.example.com/rates.jpg',
    '  └',
  ].join('\n'));
});

test('a card shows its embed time in the reader\u2019s zone rather than as an ISO string', () => {
  const [payload] = digestMessages([story], { now: NOW, timezone: 'UTC', images: 'none' }).payloads;
  assert.match(renderMessage(payload, roles, paris), /\n {2}│ — Science · 26\/11\/2026 08:00\n {2}└$/);
});
