// Discord ids ("snowflakes") as they travel in JSON and custom_ids: 17 to 20 decimal digits (64-bit, and no id made
// since 2015 is shorter than 17). @see https://discord.com/developers/docs/reference#snowflakes

/** The digits of one id, for building larger patterns. */
export const SNOWFLAKE_DIGITS = '\\d{17,20}';

export const SNOWFLAKE = new RegExp(`^${SNOWFLAKE_DIGITS}$`);
