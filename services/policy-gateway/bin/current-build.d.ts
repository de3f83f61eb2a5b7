// Types of current-build.js, which stays plain JavaScript: the command runs it before any loader.
export type BuildState =
  | { readonly current: true }
  | { readonly current: false; readonly reason: string };

/** Whether `<packageDir>/dist` holds a build of the sources as they are now. */
export function currentBuild(packageDir: string): BuildState;
