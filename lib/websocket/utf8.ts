/**
 * UTF-8 for WebSocket messages and close reasons, byte for byte.
 *
 * A `TextDecoder` strips a leading U+FEFF (BOM) by default, which silently
 * changes a message a client sent ("\uFEFFhi" arrived as "hi"). RFC 6455
 * text is plain UTF-8 with no BOM handling, so every decoder here keeps it.
 *
 * @module
 */

/** Decodes UTF-8 exactly, keeping a leading U+FEFF. */
export const utf8Decoder = new TextDecoder("utf-8", { ignoreBOM: true });
