// A plan is made from the state as much as from the library: the stories the channel has had, those an unfinished
// run still holds, when each story was first seen. When the store cannot give them (its server restarting), the
// digest is not wrong, only not yet makeable: delivery keeps its slot open instead of closing it as failed.

/** The store failed while the state a plan is made from was read; `cause` is its error. */
export class PlanInputsUnreadable extends Error {
  constructor(cause: unknown) {
    super(`what the digest is made from could not be read (${cause instanceof Error ? cause.message : String(cause)})`, { cause });
    this.name = 'PlanInputsUnreadable';
  }
}
