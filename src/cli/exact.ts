/** Exact decimal string of k * 2^t (k, t integers): every dyadic rational has a finite decimal. */
export function exactDecimal(k: bigint | number, t: number): string {
  let n = BigInt(k);
  const neg = n < 0n;
  if (neg) n = -n;
  let s: string;
  if (t >= 0) s = (n << BigInt(t)).toString();
  else {
    const d = -t;
    const digits = (n * 5n ** BigInt(d)).toString().padStart(d + 1, '0');
    s = `${digits.slice(0, digits.length - d)}.${digits.slice(digits.length - d)}`.replace(/0+$/, '').replace(/\.$/, '');
  }
  return neg && s !== '0' ? `-${s}` : s;
}

export function hex2(c: number): string {
  return '0x' + c.toString(16).padStart(2, '0');
}
