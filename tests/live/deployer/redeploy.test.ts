import * as random from "@pulumi/random";
import { DeploymentError, LiveDeployer } from "./liveDeployer";

/** A second deploy to the same stack is compared with what the first performed, as `pulumi up` diffs against state. */
describe("deploying again", () => {
    const program = (byteLength: number) => async () => ({ hex: new random.RandomId("token", { byteLength }).hex });

    it("leaves resources with unchanged inputs alone and keeps their outputs", async () => {
        const d = new LiveDeployer();
        const first = await d.deploy("s", program(8));
        const second = await d.deploy("s", program(8));
        expect(second.hex).toBe(first.hex);
        expect(d.unchanged).toEqual(["random:index/randomId:RandomId token"]);
    });

    it("names the inputs that changed instead of performing an update", async () => {
        const d = new LiveDeployer();
        await d.deploy("s", program(8));
        const attempt = d.deploy("s", program(4));
        await expect(attempt).rejects.toThrow(DeploymentError);
        await expect(attempt).rejects.toThrow(/RandomId token is already deployed and its inputs changed \(byteLength\)/);
    });

    it("creates anew in another stack, and after destroy", async () => {
        const d = new LiveDeployer();
        const first = await d.deploy("a", program(8));
        const other = await d.deploy("b", program(8));
        expect(d.unchanged).toEqual([]);
        expect(other.hex).not.toBe(first.hex);
        await d.destroy();
        const again = await d.deploy("a", program(8));
        expect(d.unchanged).toEqual([]);
        expect(again.hex).not.toBe(first.hex);
    });
});
