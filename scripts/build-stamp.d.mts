/** Types for build-stamp.mjs, so the tests that import it are type-checked. */
export declare const OUTPUTS: readonly string[];
export declare function inputFiles(root: string): string[];
export declare function fingerprint(root: string): string;
export declare function staleness(root: string): { stale: boolean; reason: string };
export declare function begin(root: string): void;
export declare function commit(root: string, now?: Date): boolean;
export declare function forget(root: string): void;
