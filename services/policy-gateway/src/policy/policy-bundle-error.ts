/** A bundle that cannot be read or used: names the file and why. */
export class PolicyBundleError extends Error {
  override readonly name = 'PolicyBundleError';
}
