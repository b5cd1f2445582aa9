// One queue per channel: a channel's runs go one after another, so two runs of one channel never send (or plan) at
// the same time in this process, while other channels go on. Any other work that must not overlap itself (dating the
// library's stories) takes a lane of its own.
export class ChannelLanes {
  /** The tail of each channel's queue. */
  private readonly tails = new Map<string, Promise<unknown>>();

  /** Runs `work` after every earlier work of the channel. */
  run<T>(channelId: string, work: () => Promise<T>): Promise<T> {
    const result = (this.tails.get(channelId) ?? Promise.resolve()).then(work);
    const tail = result.then(() => undefined, () => undefined);
    this.tails.set(channelId, tail);
    void tail.then(() => {
      if (this.tails.get(channelId) === tail) this.tails.delete(channelId);
    });
    return result;
  }

  /** Settles once every work queued so far has. */
  async idle(): Promise<void> {
    await Promise.all(this.tails.values());
  }
}
