/**
 * `stf` over `etcdctl endpoint status` as each etcd line prints it, run by /bin/sh. etcdctl 3.6.17 given a user
 * before auth is on (a new cluster's gates run so) first logs a JSON warning line on stderr, which the scripts read
 * together with stdout: the normalised line must come from the table row, never from the warning.
 */
import { spawnSync } from "child_process";
import { statusFunction } from "../../../components/scripts/shell";

const normalise = (input: string) =>
    spawnSync("/bin/sh", ["-c", `${statusFunction}\nfield "$(stf)" 1-`], { input, encoding: "utf8" }).stdout.trim();

const warning = '{"level":"warn","ts":"2026-12-06T08:15:40.885866Z","logger":"etcd-client","caller":"v3@v3.6.17/retry_interceptor.go:68",' +
    '"msg":"retrying of unary invoker failed","target":"etcd-endpoints://0x1b550b7d81e0/10.77.0.11:46479","attempt":0,' +
    '"error":"rpc error: code = FailedPrecondition desc = etcdserver: authentication is not enabled"}';

it.each([
    ["3.5.16", "http://10.77.0.11:2379, 8e9e05c52164694d, 3.5.16, 20 kB, true, false, 2, 4, 4, ", "8e9e05c52164694d true false 4"],
    ["3.6.17", "http://10.77.0.11:46479, a89f12df08c4fa27, 3.6.17, 3.6.0, 20 kB, 16 kB, 20%, 2.1 GB, true, false, 2, 4, 4, , , false", "a89f12df08c4fa27 true false 4"],
    ["3.6.17 after a client warning", `${warning}\nhttp://10.77.0.11:46479, a89f12df08c4fa27, 3.6.17, 3.6.0, 20 kB, 16 kB, 20%, 2.1 GB, false, true, 2, 4, 3, , , false`, "a89f12df08c4fa27 false true 3"],
])("etcdctl %s", (_line, input, expected) => {
    expect(normalise(`${input}\n`)).toBe(expected);
});
