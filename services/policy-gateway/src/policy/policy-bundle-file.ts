/** One file of a policy bundle, as read from a directory or an archive. */
export interface PolicyBundleFile {
  /** Path relative to the bundle root, with `/` separators on every platform. */
  readonly relativePath: string;
  readonly content: string;
}
