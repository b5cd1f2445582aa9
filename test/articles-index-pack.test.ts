// The postings added to the search index since it was made go to the compacting worker packed in a few buffers
// (frozen-index.ts packLists): what arrives after the copy a worker message makes is every list as it was.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { packLists, unpackLists } from '../src/articles/frozen-index.js';

test('lists of postings packed for a worker come back whole: terms of any script, long lists, empty lists', () => {
  const lists = new Map<string, number[]>([
    ['vaccin', [0, 3.5, 1e9, 7]],
    ['économie', [12]],
    ['日本', [4, 4, 4]],
    ['🦠virus', [2 ** 40]],
    ['empty', []],
    ['a', Array.from({ length: 10_000 }, (_, i) => i * 1.25)],
  ]);
  const arrived = structuredClone(packLists(lists));
  assert.deepEqual(unpackLists(arrived), lists);
  assert.deepEqual([...unpackLists(arrived).keys()], [...lists.keys()], 'in the same order');
});

test('no lists: nothing comes back', () => {
  assert.deepEqual(unpackLists(structuredClone(packLists(new Map()))), new Map());
});
