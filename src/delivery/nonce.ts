// The nonce a digest message is sent with, always with `enforce_nonce`: Discord answers a repeat within a few minutes
// with the message the first one created, so a resend after a lost answer posts nothing twice.
import { NONCE_MAX } from '../discord/limits.js';

/** The nonce of one message of a run: deterministic, so a resend carries the same one, and unique per run. */
export function messageNonce(runId: number, slot: Date, index: number): string {
  const nonce = `nd${runId.toString(36)}t${slot.getTime().toString(36)}m${index}`;
  if (nonce.length > NONCE_MAX) throw new Error(`nonce ${nonce} is longer than Discord's ${NONCE_MAX} characters`);
  return nonce;
}
