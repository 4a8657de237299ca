/** Builds a TypeScript entry (project-relative) unless its bundle is up to date; returns the bundle's path. */
export function ensureBuilt(entry: string): string;
/** Where the bundle of an entry lives (dist/bin/). */
export function bundlePath(entry: string): string;
/** The project root. */
export const ROOT: string;
