// How much a query word counts in each field of an article: shared by the ranking (query.ts) and the index, which
// proposes its candidates in the same order (search-index.ts). A module of its own so that the index's worker
// thread loads no more than the index.

/** Points per query word for each field holding a word that starts with it. */
export const WEIGHT = { title: 4, topics: 3, provider: 3, excerpt: 1 };
