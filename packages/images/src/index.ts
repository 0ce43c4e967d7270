export { DEFAULT_MAX_PIXELS, createImageInputDecoder } from './image-input-decoder.js';
export type { ImageInputDecoderOptions } from './image-input-decoder.js';
