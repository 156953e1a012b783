/**
 * An error caused by bad usage or bad input. The CLI prints its message on one line and exits 2.
 * Messages should name the file (if any) and what is wrong with it.
 */
export class InputError extends Error {
  override readonly name = 'InputError';
  constructor(message: string, readonly file?: string) {
    super(file !== undefined && !message.startsWith(file) ? `${file}: ${message}` : message);
  }
}

/** A check that ran and failed (e.g. a co-simulation mismatch). The CLI exits 1. */
export class CheckFailed extends Error {
  override readonly name = 'CheckFailed';
}
