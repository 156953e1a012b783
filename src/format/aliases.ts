/**
 * Other libraries' names for formats of the family (ml_dtypes / numpy / PyTorch dtype names),
 * accepted wherever a format name is (getFormat, the CLI). No imports: traits.ts reads it.
 * ml_dtypes `float8_e4m3` (IEEE-like, with infinities) is NOT an alias of ocp-e4m3 (E4M3FN: no
 * infinity, one NaN per sign), so it is not listed.
 */
export const FORMAT_ALIASES: Readonly<Record<string, string>> = Object.freeze({
  float8_e4m3fn: 'ocp-e4m3',
  float8_e5m2: 'ocp-e5m2',
  int8: 'int8',
  'torch.float8_e4m3fn': 'ocp-e4m3',
  'torch.float8_e5m2': 'ocp-e5m2',
  'torch.int8': 'int8',
});
