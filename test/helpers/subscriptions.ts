// A digest saved straight into a store, for tests that start below the commands: the defaults of a daily digest,
// named after its channel (names are unique per server), with whatever a test overrides.
import { DEFAULT_DIGEST_SETTINGS } from '../../src/digest/settings.js';
import { EVERY_DAY } from '../../src/schedule/days.js';
import type { StateStore } from '../../src/state/stateStore.js';
import type { Subscription, SubscriptionInput } from '../../src/state/types.js';

export function subscribe(store: StateStore, input: Pick<SubscriptionInput, 'channelId' | 'guildId' | 'time'> & Partial<SubscriptionInput>): Promise<Subscription> {
  return store.saveSubscription({
    name: `digest ${input.channelId}`,
    kind: 'scheduled',
    days: EVERY_DAY,
    timezone: 'UTC',
    settings: DEFAULT_DIGEST_SETTINGS,
    mentionRoleId: null,
    ...input,
  });
}

/** The one digest of a channel (tests that give each channel one). */
export async function digestOf(store: StateStore, channelId: string): Promise<Subscription | undefined> {
  return (await store.listSubscriptions({ channelId }))[0];
}
