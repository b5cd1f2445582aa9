// Button clicks: the custom_id names its handler by prefix and carries all the state it needs. A custom_id no
// handler owns (forged, or from a layout long gone) gets an ephemeral explanation, never an error.
import type { ButtonInteraction } from 'discord.js';
import type { ButtonAnswer, ButtonHandler } from '../commands/types.js';
import type { BotContext } from '../context.js';
import { FAILURE, notice, toEditOptions } from '../replies.js';
import { respond } from './respond.js';

const UNKNOWN = notice('This button is not one I recognise. Run the command again to get fresh buttons.');

export async function handleButton(interaction: ButtonInteraction, handlers: readonly ButtonHandler[], context: BotContext): Promise<void> {
  const where = { event: 'button', customId: interaction.customId, interactionId: interaction.id, guildId: interaction.guildId, userId: interaction.user.id };
  try {
    const handler = handlers.find((h) => interaction.customId.startsWith(h.prefix));
    let answer: ButtonAnswer;
    if (!handler) {
      context.logger.info({ ...where, event: 'button.unknown' }, 'unknown button');
      answer = { reply: UNKNOWN };
    } else {
      try {
        answer = await handler.run(interaction, context);
      } catch (error) {
        context.logger.error({ ...where, event: 'button.failed', err: error }, 'button failed');
        answer = { reply: FAILURE };
      }
    }
    if ('update' in answer) await interaction.update(toEditOptions(answer.update));
    else await respond(interaction, answer.reply);
  } catch (error) {
    context.logger.error({ ...where, event: 'button.reply_failed', err: error }, 'could not answer a button');
  }
}
