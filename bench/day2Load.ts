/**
 * The write load and the cluster observer of bench/day2.ts, in a child process of their own: the deployer's
 * program evaluation runs in the driver's process and holds its event loop for 100–200 ms at a time, which a
 * load in the same process would count as a write gap of the cluster. Started with fork(); argv[2] is JSON
 * `{ endpoints, prefix, maxMs }`; it sends "started", and on the message "stop" stops both, reads the keys back
 * and sends a {@link LoadReport}, then exits. Bounded: the load and observer stop by themselves after maxMs.
 */
import { startWriteLoad, lostWrites } from "../tests/live/writeLoad";
import { observeCluster } from "../tests/live/clusterObserver";

export interface LoadReport {
    acked: number;
    failed: number;
    longestGapMs: number;
    /** Epoch ms. */
    longestGapEndedAt: number;
    /** Acknowledged keys missing or different afterwards; -1 when they could not be read back. */
    lost: number;
    minHealthy: number;
    leaderChanges: number;
    termIncrease: number;
}

const { endpoints, prefix, maxMs } = JSON.parse(process.argv[2]) as { endpoints: string[]; prefix: string; maxMs: number };
// Flat out, and a failed put retried at once on the next member: a benchmark runs alone, and its gap is measured at
// the load's finest grain, with no pause of the load's own inside it.
const load = startWriteLoad(endpoints, prefix, { maxMs, pauseMs: 0, retryPauseMs: 0, maxPuts: 1_000_000 });
const watch = observeCluster(endpoints, { maxMs });
process.send!("started");
process.on("message", async (m) => {
    if (m !== "stop") return;
    const writes = await load.stop();
    const seen = await watch.stop();
    const lost = await lostWrites(endpoints, prefix, writes.acked).then((l) => l.length, () => -1);
    const report: LoadReport = {
        acked: writes.acked.size, failed: writes.failed, longestGapMs: writes.longestGapMs, longestGapEndedAt: writes.longestGapEndedAt, lost,
        minHealthy: seen.minHealthy, leaderChanges: seen.leaderChanges, termIncrease: seen.termIncrease,
    };
    process.send!(report, () => process.exit(0));
});
