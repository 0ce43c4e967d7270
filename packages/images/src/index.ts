export { DEFAULT_MAX_PIXELS, createImageInputDecoder } from './image-input-decoder.js';
export type { ImageInputDecoder, ImageInputDecoderOptions } from './image-input-decoder.js';
