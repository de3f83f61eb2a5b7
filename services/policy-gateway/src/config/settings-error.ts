/** A setting that cannot be used; the message is one line an operator can act on. */
export class SettingsError extends Error {
  override readonly name = 'SettingsError';
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(message);
  }
}
