export {
  decodeLengthPrefixedElements,
  encodeLengthPrefixedElements,
  lengthPrefixedSize,
  writeLengthPrefixedElements,
} from './bytes-elements.js';
