/**
 * How big the service lets V8's heap grow, and how many malloc arenas it may keep. Every way of
 * starting the service passes these flags to node (the `start` scripts, the Dockerfile, the
 * cluster workers, the fuzz and bench spawners); `heap-settings.spec.ts` checks that they do.
 *
 * Why: after each full GC V8 sets the next old-generation limit to the live size times a growing
 * factor. The factor rises with the allocation rate, up to a maximum that depends on the heap's
 * size limit: 4.0 when the limit is V8's default on a machine with a few GB of memory (≥ 2 GiB of
 * old space), but 1.3–2.0 below that (1.4 at 512 MiB). Under a fast stream of large bodies (the
 * 100k-case fuzz run: 1 MiB SCIM JSON, 3 MiB uploads, 272 KiB ACS forms) the factor reached 4.0,
 * so with ~46 MB live the old generation was allowed ~200 MB, committed page by page and released
 * only by the memory-reducing GC of an idle process: RSS went from 153 to 280 MB. At 512 MiB the
 * factor is at most 1.4 (measured with --trace-gc-verbose), the limit ~80 MB, and RSS stays near
 * its start. The live heap is ~47 MB, so 512 MiB is also a ceiling ten times above it.
 */
export const SERVICE_OLD_SPACE_MB = 512;

export const SERVICE_NODE_FLAGS: readonly string[] = [`--max-old-space-size=${SERVICE_OLD_SPACE_MB}`];

/**
 * Environment every serving process starts with (the `start` scripts, the Dockerfile, cluster
 * workers, the fuzz and ACS-bench spawners). glibc gives each thread that contends for malloc an
 * arena of its own (up to 8 per core), and memory freed in one is reused only by allocations in
 * that one: the libuv thread pool (scrypt, zlib, file reads) and V8's helper threads each fill and
 * keep one. After 22,000 fuzz cases four thread arenas held ~16 MB of RSS (/proc/<pid>/smaps);
 * with two arenas the same 8,000 cases ended at 165 instead of 179 MB, and the bench showed no
 * CPU cost (V8's own heap is not malloc'd). glibc reads it once, at process start: hence in the
 * start commands, not in code.
 */
export const SERVICE_ENV: Readonly<Record<string, string>> = { MALLOC_ARENA_MAX: '2' };

/** The SERVICE_ENV entries that `env` does not set (an operator's own value is kept). */
export function serviceEnvDefaults(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(Object.entries(SERVICE_ENV).filter(([name]) => env[name] === undefined));
}

/** At or above this heap size limit V8 allows its highest growing factor (4.0). */
const HIGH_GROWTH_HEAP_LIMIT_BYTES = 2048 * 1_048_576;

/**
 * node arguments for a service process: `execArgv` plus the service's heap flags, unless the
 * operator chose an old-space size of their own (in `execArgv` or NODE_OPTIONS), which is kept.
 */
export function withServiceHeapFlags(execArgv: readonly string[], nodeOptions = ''): string[] {
  const chosen = [...execArgv, ...nodeOptions.split(/\s+/)].some((arg) => /^--max[-_]old[-_]space[-_]size(=|$)/.test(arg));
  return chosen ? [...execArgv] : [...execArgv, ...SERVICE_NODE_FLAGS];
}

/** A warning for a process started without a bounded heap (e.g. `node dist/main.js`), else undefined. */
export function heapSettingsWarning(heapSizeLimitBytes: number): string | undefined {
  if (heapSizeLimitBytes < HIGH_GROWTH_HEAP_LIMIT_BYTES) return undefined;
  return (
    `node was started without ${SERVICE_NODE_FLAGS.join(' ')} (heap limit ${Math.round(heapSizeLimitBytes / 1_048_576)} MiB): ` +
    `under load V8 may then grow the heap to 4x its live size. Start with npm start, the Docker image, or add the flag.`
  );
}
