// The shapes a digest can take, as names a setting and a slash-command choice can hold. Kept free of any payload
// code so that settings and command definitions can import the names without the builders.

/** `cards`: an embed per story. `compact`: one embed, a line per story. `headlines`: plain linked lines, no embed. */
export const DIGEST_LAYOUTS = ['cards', 'compact', 'headlines'] as const;
export type DigestLayout = (typeof DIGEST_LAYOUTS)[number];

/** How a story's picture is shown where the layout has room for one (headlines have none). */
export const IMAGE_SIZES = ['large', 'thumbnail', 'none'] as const;
export type ImageSize = (typeof IMAGE_SIZES)[number];

export const DEFAULT_DIGEST_LAYOUT: DigestLayout = 'cards';
export const DEFAULT_IMAGE_SIZE: ImageSize = 'large';
