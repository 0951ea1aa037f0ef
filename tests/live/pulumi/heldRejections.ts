/**
 * Holds the unhandled rejections of a program's Outputs away from jest while the program runs. An error thrown in an
 * `apply` rejects every Output that depends on it, and nothing awaits those: they arrive as unhandled rejections on
 * the process that hosts the test environment (`__hostProcess`, from tests/live/liveEnvironment.js), where jest
 * would charge them to whatever test runs then. `release()` gives jest its listeners back and returns what was held.
 */
export function holdRejections(): { release(): unknown[] } {
    const host: NodeJS.Process = (globalThis as { __hostProcess?: NodeJS.Process }).__hostProcess ?? process;
    const jestListeners = host.listeners("unhandledRejection");
    const held: unknown[] = [];
    const hold = (err: unknown) => { held.push(err); };
    host.removeAllListeners("unhandledRejection");
    host.on("unhandledRejection", hold);
    return {
        release() {
            host.removeListener("unhandledRejection", hold);
            jestListeners.forEach((l) => host.on("unhandledRejection", l as (...a: unknown[]) => void));
            return held;
        },
    };
}
