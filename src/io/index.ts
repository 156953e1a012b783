/**
 * src/io: weight files in and out (docs/io.md), and the datasets of src/io/datasets.ts.
 *
 *   const src = openWeights('model.safetensors');        // or .npy .npz .gguf .f32, a tfjs folder, an index
 *   for (const t of src.listTensors()) if (t.supported) use(t, src.readTensor(t.name));
 *   src.close();
 *
 * quantizeWeightsFile({ input, output, quantize }) streams any source to an RF8 safetensors file.
 */
export {
  MAX_SAFETENSORS_HEADER_BYTES, MAX_TENSORS, MAX_RANK, MAX_TENSOR_ELEMENTS, MAX_NAME_BYTES, MAX_NPY_HEADER_BYTES, MAX_NPY_LITERAL_DEPTH,
  MAX_ZIP_DIRECTORY_BYTES, MAX_UNVERIFIED_INFLATE_BYTES, MAX_TFJS_MODEL_JSON_BYTES, MAX_TFJS_SHARDS, MAX_TFJS_STRING_ELEMENTS, MAX_GGUF_HEADER_BYTES,
  MAX_GGUF_KV, MAX_GGUF_STRING_BYTES, MAX_GGUF_ARRAY_LENGTH, MAX_GGUF_ARRAY_DEPTH, MAX_GGUF_DIMS, MAX_GGUF_ALIGNMENT, MAX_RF8_META_BYTES,
  MAX_INDEX_JSON_BYTES, IO_CHUNK_BYTES,
} from './limits.js';
export { type RandomAccessFile, type FileSystemLike, nodeFs, memoryFs } from './file.js';
export { type ElemType, f16ToF32Table } from './dtype.js';
export { type TensorInfo, type WeightSource, type WeightFormat } from './source.js';
export { openWeights, detectFormat, sniffFormat, forEachTensor, openRawF32, openSafetensorsIndex, type OpenOptions } from './open.js';
export {
  openSafetensors, parseSafetensorsHeader, writeSafetensors, SafetensorsWriter, SAFETENSORS_DTYPE_BYTES, SAFETENSORS_READABLE,
  type SafetensorsHeader, type SafetensorsTensorHeader, type SafetensorsPlanEntry, type SafetensorsTensorOut, type SafetensorsWriteDtype,
} from './safetensors.js';
export { openNpy, parseNpyHeader, parsePyLiteral, encodeNpy, writeNpy, NPY_MAGIC, type NpyArray, type NpyHeader } from './npy.js';
export { openNpz, writeNpz, type NpzArray, type ZipMember } from './npz.js';
export { openGguf, parseGgufHeader, GGML_TYPES, GGUF_DEFAULT_ALIGNMENT, type GgufHeader, type GgufTensorInfo } from './gguf.js';
export { openTfjs } from './tfjs.js';
export {
  Rf8SafetensorsWriter, writeRf8Safetensors, openRf8, decodeRf8, RF8_SCALE_SUFFIX, RF8_META_PREFIX, RF8_LAYOUT_VERSION, RF8_SPEC_VERSION,
  type Rf8File, type Rf8Tensor, type Rf8TensorInfo, type Rf8TensorMeta, type Rf8Codes, type Rf8PlanEntry, type Rf8TensorOut, type ScaleGranularity,
} from './rf8file.js';
export { quantizeWeightsFile, defaultDecision, isFloat64, type QuantizeFileOptions, type QuantizeFileSummary, type TensorDecision } from './pipeline.js';
export {
  loadMnistAll, permutation, takeImages, loadMnist, brownToText, loadBrownChars, decodeChars, MNIST_PIXELS, MNIST_CLASSES,
  type ImageSet, type MnistSplit, type MnistOptions, type CharCorpus,
} from './datasets.js';
