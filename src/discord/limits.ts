// Discord's documented limits, in one place so that every payload builder and the sandbox agree.
// https://discord.com/developers/docs/resources/message#embed-object-embed-limits
export const EMBED_TITLE_MAX = 256;
export const EMBED_DESCRIPTION_MAX = 4096;
export const EMBED_FIELDS_MAX = 25;
export const EMBED_FIELD_NAME_MAX = 256;
export const EMBED_FIELD_VALUE_MAX = 1024;
export const EMBED_FOOTER_TEXT_MAX = 2048;
export const EMBED_AUTHOR_NAME_MAX = 256;
/** Sum of all embed text (titles, descriptions, field names and values, footers, author names) in one message. */
export const MESSAGE_EMBED_TEXT_MAX = 6000;
export const MESSAGE_EMBEDS_MAX = 10;
export const MESSAGE_CONTENT_MAX = 2000;
export const AUTOCOMPLETE_CHOICES_MAX = 25;
export const AUTOCOMPLETE_CHOICE_NAME_MAX = 100;
export const AUTOCOMPLETE_CHOICE_VALUE_MAX = 100;
export const CUSTOM_ID_MAX = 100;
export const BUTTON_LABEL_MAX = 80;
export const ACTION_ROW_COMPONENTS_MAX = 5;
export const NONCE_MAX = 25;
/** Servers per page of GET /users/@me/guilds. */
export const CURRENT_USER_GUILDS_PAGE_MAX = 200;
/** maxLength of every URL of an embed in Discord's API description (RichEmbed url, image url, icon_url). */
export const EMBED_URL_MAX = 2048;
/** Discord answers an interaction only if the first response arrives within this time. */
export const INTERACTION_RESPONSE_DEADLINE_MS = 3000;
/** A thread's name, a forum post's title among them. https://discord.com/developers/docs/resources/channel#start-thread-in-forum-or-media-channel */
export const THREAD_NAME_MAX = 100;
