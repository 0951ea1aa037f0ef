/**
 * The live suite's jest environment: Node's, plus the real `process` as `__hostProcess`. Test code sees a
 * sandboxed copy of `process`, but an unhandled rejection is emitted on the real one; the stand-in engine
 * (tests/live/deployer/liveDeployer.ts) listens there while a program runs, as Pulumi's Node language host
 * does, so that an error thrown inside an `apply` fails that deployment instead of whichever test is running.
 */
const { TestEnvironment } = require("jest-environment-node");

class LiveEnvironment extends TestEnvironment {
    constructor(config, context) {
        super(config, context);
        this.global.__hostProcess = process;
    }
}

module.exports = LiveEnvironment;
