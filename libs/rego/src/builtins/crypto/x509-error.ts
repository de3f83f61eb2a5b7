/**
 * Input the x509 and key builtins cannot use (bad base64, a PEM block of the wrong type,
 * DER Go would not parse). The message is worded as Go's, for the builtin to prefix with
 * its name.
 */
export class X509Error extends Error {
  override readonly name = 'X509Error';
}
