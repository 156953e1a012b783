/**
 * Limits every weight-file reader checks BEFORE it allocates or loops. A file that exceeds one
 * is refused with an InputError naming the file, the tensor and the limit. They are generous
 * for real checkpoints and small enough that a hostile header cannot make a reader allocate
 * more than about the size of the file it reads (plus these bounds).
 */

/** Largest safetensors JSON header (the reference implementation's own limit, 100 MB). */
export const MAX_SAFETENSORS_HEADER_BYTES = 100_000_000;
/** Largest number of tensors in one file (safetensors, GGUF, npz, tfjs manifest). */
export const MAX_TENSORS = 1_000_000;
/** Largest rank of a tensor. */
export const MAX_RANK = 16;
/** Largest number of elements in one tensor (2^31 - 1: a Float32Array of it is 8 GiB). */
export const MAX_TENSOR_ELEMENTS = 2 ** 31 - 1;
/** Largest tensor name, in bytes of UTF-8. */
export const MAX_NAME_BYTES = 65_536;
/** Largest .npy header (numpy's own default `max_header_size` is 10000). */
export const MAX_NPY_HEADER_BYTES = 65_536;
/** Deepest nesting of the Python literal in a .npy header. */
export const MAX_NPY_LITERAL_DEPTH = 8;
/** Largest zip central directory of an .npz. */
export const MAX_ZIP_DIRECTORY_BYTES = 64 * 1024 * 1024;
/**
 * A deflated .npz member larger than this is inflated once (without keeping the bytes) to check
 * its real size and CRC before its result is allocated.
 */
export const MAX_UNVERIFIED_INFLATE_BYTES = 64 * 1024 * 1024;
/** Largest model.json of a tfjs model folder. */
export const MAX_TFJS_MODEL_JSON_BYTES = 64 * 1024 * 1024;
/** Largest number of shard files in a tfjs model folder. */
export const MAX_TFJS_SHARDS = 100_000;
/** Largest number of string elements scanned to size a tfjs `string` weight. */
export const MAX_TFJS_STRING_ELEMENTS = 1_000_000;
/** Largest GGUF header (metadata + tensor infos); tokenizer vocabularies take some MB. */
export const MAX_GGUF_HEADER_BYTES = 256 * 1024 * 1024;
/** Largest number of GGUF metadata key/value pairs. */
export const MAX_GGUF_KV = 1_000_000;
/** Largest GGUF metadata string, in bytes. */
export const MAX_GGUF_STRING_BYTES = 16 * 1024 * 1024;
/** Largest GGUF metadata array, in elements. */
export const MAX_GGUF_ARRAY_LENGTH = 16 * 1024 * 1024;
/** Deepest nesting of GGUF metadata arrays. */
export const MAX_GGUF_ARRAY_DEPTH = 4;
/** GGML tensors have at most 4 dimensions. */
export const MAX_GGUF_DIMS = 4;
/** Largest GGUF data alignment accepted (general.alignment, a power of two). */
export const MAX_GGUF_ALIGNMENT = 1 << 20;
/** Largest RF8 metadata entry (JSON text per tensor). */
export const MAX_RF8_META_BYTES = 4096;
/** Largest safetensors.index.json of a sharded checkpoint. */
export const MAX_INDEX_JSON_BYTES = 64 * 1024 * 1024;
/** Chunk size used for streamed conversion (bytes). */
export const IO_CHUNK_BYTES = 4 * 1024 * 1024;
