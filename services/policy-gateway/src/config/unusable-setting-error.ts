/**
 * A setting whose value parsed but whose target cannot be used: the database a URL names does
 * not answer, the data directory cannot be opened, the port is taken, the policy bundle does not
 * start. Raised where that is found; the CLI prints the message as one line, without a stack,
 * because the operator fixes it by changing the setting or what it points at.
 */
export class UnusableSettingError extends Error {
  override readonly name = 'UnusableSettingError';
  constructor(
    /** The variables to look at, e.g. `['POLICY_GATEWAY_DATABASE_URL']`. */
    readonly variables: readonly string[],
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}
