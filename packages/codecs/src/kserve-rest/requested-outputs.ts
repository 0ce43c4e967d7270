import { skipJsonValue, type JsonReader } from '../json/index.js';
import { booleanParameter, readParameters, type KServeParameters } from './parameters.js';
import { invalid, readNameField } from './request-fields.js';

/** One entry of the request's `outputs`: which outputs to return, and how. */
export interface KServeRequestedOutput {
  readonly name: string;
  /** `parameters.binary_data`: return this output through the binary data extension. */
  readonly binaryData?: boolean;
  readonly parameters?: KServeParameters;
}

/** Reads `outputs` (inference_rest.md, `$request_output`), each entry checked as it begins. */
export function readRequestedOutputs(reader: JsonReader): KServeRequestedOutput[] {
  if (reader.peek() !== 0x5b) invalid('"outputs" must be an array');
  const outputs: KServeRequestedOutput[] = [];
  reader.beginArray();
  for (let index = 0; reader.nextElement(index === 0); index++) {
    outputs.push(readRequestedOutput(reader, `outputs[${index}]`));
  }
  return outputs;
}

function readRequestedOutput(reader: JsonReader, where: string): KServeRequestedOutput {
  if (reader.peek() !== 0x7b) invalid(`${where} must be an object`);
  let name: string | undefined;
  let parameters: KServeParameters | undefined;
  reader.beginObject();
  for (let key = reader.nextKey(true); key !== undefined; key = reader.nextKey(false)) {
    if (key === 'name') name = readNameField(reader, `${where}.name`);
    else if (key === 'parameters') parameters = readParameters(reader, `${where}.parameters`);
    else skipJsonValue(reader);
  }
  if (name === undefined) invalid(`${where} is missing name`);
  if (parameters === undefined) return { name };
  const binaryData = booleanParameter(parameters, 'binary_data', `${where}.parameters`);
  return binaryData === undefined ? { name, parameters } : { name, binaryData, parameters };
}
