/**
 * The live suite's jest environment: Node's, except that listeners for a process's uncaught errors go to the real
 * `process`. Test code sees a sandboxed copy of `process`, but Node emits an unhandled rejection on the real one.
 * An inline program run by the Automation API listens for both while it runs (@pulumi/pulumi automation/server.js,
 * as Pulumi's Node language host does), which is how an error thrown inside an `apply` fails that deployment: on
 * the sandbox's copy that listener would never hear it, and the rejection would fail whichever test is running.
 * The real `process` is also handed over as `__hostProcess`, for the deployer to hold jest's own listener back
 * while a program runs.
 */
const { TestEnvironment } = require("jest-environment-node");

const FORWARDED = new Set(["uncaughtException", "unhandledRejection"]);

class LiveEnvironment extends TestEnvironment {
    constructor(config, context) {
        super(config, context);
        this.global.__hostProcess = process;
        const sandboxed = this.global.process;
        for (const method of ["on", "addListener", "once", "off", "removeListener"]) {
            const own = sandboxed[method];
            sandboxed[method] = function (event, listener) {
                if (FORWARDED.has(event)) {
                    process[method](event, listener);
                    return sandboxed;
                }
                return own.call(sandboxed, event, listener);
            };
        }
    }
}

module.exports = LiveEnvironment;
