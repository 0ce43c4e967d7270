export { decodeTensorProto } from './decode-tensor-proto.js';
export { encodeTensorProto } from './encode-tensor-proto.js';
export { tensorShapeProto } from './tensor-shape.js';
export { tfDataTypeOf } from './tf-data-type.js';
