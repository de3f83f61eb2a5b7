/** See shipped-build-options.mjs: the esbuild options every build of the service shares. */
export function shippedBuildOptions(packageDir: string): Record<string, unknown>;
