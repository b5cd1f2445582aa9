// Discord's global rate limit (50 requests a second per bot) is a one-second window that opens when Discord receives
// the window's first request. discord.js opens its own count of that window when it *sends* the request, and sends
// the next window's requests its `offset` (50 ms) after its own count ends. When the first request's trip took longer
// than that (a busy machine, a slow network, a busy Discord), the next window's first requests land in Discord's old
// window and are refused with a global 429 (2-13 per 500 posts in the delivery benchmark). Discord had received the
// request by the time its answer came back, so a window counted from the answer is never early, and costs no more
// than the one round trip. https://discord.com/developers/docs/topics/rate-limits#global-rate-limit
import type { REST } from 'discord.js';

const GLOBAL_WINDOW_MS = 1000;

/** Makes `rest` count each global window from Discord's answer to the window's first request. */
export function anchorGlobalWindow(rest: REST): void {
  const send = rest.options.makeRequest;
  // The window (as the REST's reset time) whose first request has been seen, so later ones are not taken for it.
  let seen = -1;
  rest.options.makeRequest = async (url, init) => {
    // The REST opens a window and counts the request in it just before calling this, with no wait between.
    const window = rest.globalReset;
    const opens = window !== seen;
    seen = window;
    const response = await send(url, init);
    // Unless a 429 set a reset of its own meanwhile.
    if (opens && rest.globalReset === window) {
      rest.globalReset = Math.max(window, Date.now() + GLOBAL_WINDOW_MS);
      seen = rest.globalReset;
    }
    return response;
  };
}
