import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openApiProblems, openApiSkip } from './helpers/openapi.js';

test('the OpenAPI checker accepts a valid message and names the field of an invalid one', { skip: openApiSkip }, () => {
  assert.deepEqual(openApiProblems('MessageCreateRequest', { content: 'hello', allowed_mentions: { parse: [] } }), []);
  const problems = openApiProblems('MessageCreateRequest', { embeds: [{ title: 'x'.repeat(257) }] });
  assert.ok(problems.some((p) => p.includes('/embeds/0/title')), problems.join('\n'));
});
