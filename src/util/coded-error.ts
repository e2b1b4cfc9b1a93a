/**
 * The base of the modules' own error types: an Error whose `code`, from the closed set `C`, says why. Callers
 * and tests branch on `code`, never on the message. A subclass names itself (`override readonly name`).
 */
export class CodedError<C extends string> extends Error {
  readonly code: C;

  constructor(code: C, message: string, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
  }
}
