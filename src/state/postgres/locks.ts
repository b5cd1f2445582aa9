// The first keys of the transaction-scoped advisory locks the store takes (the second key is what they guard, hashed):
// two int4 keys, a key space apart from the migrations' single bigint key (migrations.ts).

/** A server's new digests count and save one at a time (the second key is the server's). */
export const SERVER_DIGESTS_LOCK = 734_911_302;
/** A channel's claims check and store their plans one at a time (the second key is the channel's). */
export const CHANNEL_CLAIMS_LOCK = 734_911_303;
