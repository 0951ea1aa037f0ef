import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { quorumOf } from "../../../components/plan/membership";
import { healthCheckScript, HealthCheckSpec } from "../../../components/scripts/healthCheck";
import { tlsEnvName } from "../../../components/scripts/shell";
import { healthJson, MemberEntry, memberEntry, memberListJson } from "../etcdctlJson";
import { tempDir } from "../tempDir";
import { installFakeClock } from "./fakeClock";

/**
 * The script runs for real under /bin/sh against a fake `docker` that answers like etcdctl does in
 * member containers: `<dir>/<container>.list` is what `member list -w json` prints, `<container>.health` what
 * `endpoint health --cluster -w json` does; a `<container>.down` file makes `docker exec` fail as for a stopped container, and `docker inspect` say it exited.
 */
function fakeDockerDir(): string {
    const dir = tempDir("hc-");
    fs.mkdirSync(path.join(dir, "bin"));
    installFakeClock(path.join(dir, "bin"), dir);
    fs.writeFileSync(path.join(dir, "bin", "docker"), `#!/bin/sh
echo "DOCKER_HOST=$DOCKER_HOST ssh=$(command -v ssh) certs=\${DOCKER_CERT_PATH:+$(cat "$DOCKER_CERT_PATH/key.pem")} $*" >>"${dir}/calls"
ctr=$2
# The diagnosis: docker inspect -f <format> <container>, docker logs --since <time> --tail <n> <container>.
case $1 in
  inspect) [ -f "${dir}/$4.down" ] && echo "exited 0 false 0 2026-11-24T10:00:00Z" || echo "running 0 false 0 2026-11-24T10:00:00Z"; exit 0 ;;
  logs) exit 0 ;;
esac
[ -f "${dir}/$ctr.down" ] && { echo "Error response from daemon: container $ctr is not running" >&2; exit 1; }
case "$*" in
  *"member list"*) cat "${dir}/$ctr.list" ;;
  *"endpoint status"*) exit 0 ;;
  *"endpoint health"*) cat "${dir}/$ctr.health"; grep -q false "${dir}/$ctr.health" && exit 1; exit 0 ;;
esac
`, { mode: 0o755 });
    return dir;
}

const names = ["etcd-n1", "etcd-n2", "etcd-n3"];
const ips = ["10.77.0.11", "10.77.0.12", "10.77.0.13"];
const memberList = (states = ["started", "started", "started"], ...extra: MemberEntry[]) => memberListJson(
    ...names.map((n, i) => memberEntry(`${(i + 10).toString(16)}aa`, states[i] === "started" ? n : "", `http://${ips[i]}:2380`, states[i] === "started" ? `http://${ips[i]}:2379` : "")),
    ...extra);
const healthTable = (healthy: boolean[], ...extra: { endpoint: string; healthy: boolean }[]) =>
    healthJson(...ips.map((ip, i) => ({ endpoint: `http://${ip}:2379`, healthy: healthy[i] })), ...extra);

const spec = (over: Partial<HealthCheckSpec> = {}): HealthCheckSpec => ({
    clusterName: "seed",
    expectedMembers: names,
    expectedPeerUrls: ips.map((ip) => `http://${ip}:2380`),
    hosts: ips.map((ip) => ({ url: `ssh://root@${ip}`, sshOpts: [], tls: false })),
    probes: names.map((n, i) => ({ member: n, hostIndex: i, containerName: n, localClientUrl: "http://127.0.0.1:2379" })),
    etcdctlFlags: [],
    auth: false,
    timeoutSeconds: 2,
    maxDelaySeconds: 1,
    ...over,
});

function run(dir: string, s: HealthCheckSpec, env: Record<string, string> = {}) {
    const r = spawnSync("/bin/sh", ["-c", healthCheckScript(s)], { env: { ...process.env, ...env, PATH: `${dir}/bin:${process.env.PATH}` }, encoding: "utf8" });
    const calls = fs.existsSync(path.join(dir, "calls")) ? fs.readFileSync(path.join(dir, "calls"), "utf8") : "";
    return { code: r.status, stdout: r.stdout, stderr: r.stderr, calls };
}

function writeState(dir: string, ctr: string, list: string, health: string) {
    fs.writeFileSync(path.join(dir, `${ctr}.list`), list);
    fs.writeFileSync(path.join(dir, `${ctr}.health`), health);
}

it("passes and reports the member list and health table when every member is started and healthy", () => {
    const dir = fakeDockerDir();
    names.forEach((n) => writeState(dir, n, memberList(), healthTable([true, true, true])));
    const r = run(dir, spec());
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^etcd cluster seed: 3 of 3 members started and healthy \(asked etcd-n1, attempt 1\)/);
    // etcdctl's own words without -w json: the member list, then endpoint health.
    expect(r.stdout).toContain("\nbaa, started, etcd-n2, http://10.77.0.12:2380, http://10.77.0.12:2379, false\n");
    expect(r.stdout).toContain("\nhttp://10.77.0.13:2379 is healthy: successfully committed proposal: took = 8.6ms");
    expect(r.calls).toContain("DOCKER_HOST=ssh://root@10.77.0.11");
    expect(r.calls).toContain("exec etcd-n1 /usr/local/bin/etcdctl --endpoints=http://127.0.0.1:2379 member list -w json");
});

it("asks the next member when the first one's container is down, through that member's own host", () => {
    const dir = fakeDockerDir();
    fs.writeFileSync(path.join(dir, "etcd-n1.down"), "");
    names.forEach((n) => writeState(dir, n, memberList(), healthTable([true, true, true])));
    const r = run(dir, spec());
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("asked etcd-n2");
    expect(r.calls).toMatch(/DOCKER_HOST=ssh:\/\/root@10\.77\.0\.12 .* exec etcd-n2/);
});

it("waits until a member that has not started yet starts", () => {
    const dir = fakeDockerDir();
    names.forEach((n) => writeState(dir, n, memberList(["started", "started", "unstarted"]), healthTable([true, true, false])));
    fs.writeFileSync(path.join(dir, "ok.list"), memberList());
    fs.writeFileSync(path.join(dir, "ok.health"), healthTable([true, true, true]));
    // The members come up while the check is already polling.
    execFileSync("/bin/sh", ["-c", `(sleep 1.5; for n in ${names.join(" ")}; do cp ${dir}/ok.list ${dir}/$n.list; cp ${dir}/ok.health ${dir}/$n.health; done) >/dev/null 2>&1 &`]);
    const r = run(dir, spec({ timeoutSeconds: 20 }));
    expect(r.code).toBe(0);
    // How many attempts fit in the 1.5 s depends on the machine's speed; the first cannot have passed.
    expect(r.stdout).toMatch(/3 of 3 members started and healthy \(asked etcd-n1, attempt ([2-9]|1[0-9])\)/);
});

it("fails with 'quorum lost' when two of three members are down", () => {
    const dir = fakeDockerDir();
    ["etcd-n1", "etcd-n2"].forEach((n) => fs.writeFileSync(path.join(dir, `${n}.down`), ""));
    writeState(dir, "etcd-n3", memberList(), healthTable([false, false, true]));
    const r = run(dir, spec());
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/etcd cluster seed is not healthy after 2s/);
    expect(r.stderr).toMatch(/quorum lost: only 1 of 3 members are up; a cluster of 3 needs 2 to accept writes\. Down: etcd-n1 etcd-n2/);
    // The diagnosis names each stopped member, its state and how to start it.
    expect(r.stderr).toMatch(/Diagnosis:\n- etcd-n1 \(container etcd-n1 on ssh:\/\/root@10\.77\.0\.11\): its container is exited \(exit code 0\)\.\n {4}fix: start it \(docker -H ssh:\/\/root@10\.77\.0\.11 start etcd-n1\)/);
    expect(r.stderr).toMatch(/- etcd-n2 \(container etcd-n2 on ssh:\/\/root@10\.77\.0\.12\): its container is exited/);
    // The one still running cannot answer endpoint health without a quorum.
    expect(r.stderr).toMatch(/- etcd-n3 \(container etcd-n3 on ssh:\/\/root@10\.77\.0\.13\): it does not answer endpoint health/);
});

it("fails without quorum loss when one member is unhealthy, naming it", () => {
    const dir = fakeDockerDir();
    names.forEach((n) => writeState(dir, n, memberList(["started", "started", "unstarted"]), healthTable([true, true, false])));
    const r = run(dir, spec());
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/2 of 3 members healthy\./);
    expect(r.stderr).toMatch(/not started or not in the member list: etcd-n3/);
    expect(r.stderr).not.toMatch(/quorum lost/);
});

it("names the members it does not want, which the deployment removes after it, also when the check fails", () => {
    const dir = fakeDockerDir();
    const list = memberList(undefined, memberEntry("ffbb", "stranger", "http://10.9.9.9:2380", "http://10.9.9.9:2379"));
    names.forEach((n) => writeState(dir, n, list, healthTable([true, true, false])));
    const r = run(dir, spec());
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/2 of 3 members healthy\./);
    expect(r.stderr).toContain("also listed, not wanted, to be removed after this check: stranger(ffbb)");
});

it("fails with 'quorum lost' naming every member when every container is down", () => {
    const dir = fakeDockerDir();
    names.forEach((n) => fs.writeFileSync(path.join(dir, `${n}.down`), ""));
    const r = run(dir, spec());
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/quorum lost: only 0 of 3 members are up; a cluster of 3 needs 2 to accept writes\. Down: etcd-n1 etcd-n2 etcd-n3/);
    expect(r.stderr).toMatch(/etcd-n1: Error response from daemon: container etcd-n1 is not running/);
});

it("gives ssh options to the docker CLI through an ssh wrapper, and TLS material through files, never argv", () => {
    const dir = fakeDockerDir();
    names.forEach((n) => writeState(dir, n, memberList(), healthTable([true, true, true])));
    const s = spec({
        hosts: [
            { url: "ssh://root@10.77.0.11", sshOpts: ["-i", "/keys/it's"], tls: false },
            { url: "tcp://10.77.0.12:2376", sshOpts: [], tls: true },
            { url: "unix:///run/docker-h3.sock", sshOpts: [], tls: false },
        ],
        probes: [
            { member: "etcd-n2", hostIndex: 1, containerName: "etcd-n2", localClientUrl: "http://127.0.0.1:2379" },
        ],
    });
    const script = healthCheckScript(s);
    expect(script).not.toContain("SECRET-KEY");
    const r = run(dir, s, { [tlsEnvName(1, "ca")]: "CA", [tlsEnvName(1, "cert")]: "CERT", [tlsEnvName(1, "key")]: "SECRET-KEY" });
    expect(r.code).toBe(0);
    expect(r.calls).toMatch(/DOCKER_HOST=tcp:\/\/10\.77\.0\.12:2376 .* certs=SECRET-KEY exec etcd-n2/);
    // The ssh wrapper itself: run host 0's branch and read the wrapper it puts first on PATH.
    const wrapper = spawnSync("/bin/sh", ["-c", script.replace(/\nprobes=[\s\S]*$/, "\ndk 0 wrapper-check; cat \"$(dirname \"$(grep -o 'ssh=[^ ]*' " + dir + "/calls | tail -n1 | cut -d= -f2)\")/ssh\"")],
        { env: { ...process.env, PATH: `${dir}/bin:${process.env.PATH}` }, encoding: "utf8" });
    expect(wrapper.stdout).toMatch(/^#!\/bin\/sh\nexec \S*ssh '-i' '\/keys\/it'\\''s' "\$@"\n$/);
});

it("computes quorum as a majority", () => {
    expect([1, 2, 3, 4, 5, 7].map(quorumOf)).toEqual([1, 2, 2, 3, 3, 4]);
});

it("tells peers that cannot reach each other apart from members that are down", () => {
    const dir = fakeDockerDir();
    names.forEach((n) => writeState(dir, n, memberList(), healthTable([false, false, false])));
    const r = run(dir, spec());
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/no quorum although 3 of 3 members are up: they cannot reach each other; check that every peer URL is reachable/);
});

describe("members this deployment removes afterwards: listed while it runs, found in the member list", () => {
    const leaver = memberEntry("dd44", "etcd-n4", "http://10.77.0.14:2380", "http://10.77.0.14:2379");
    const table4 = (leaverHealthy: boolean) => healthTable([true, true, true], { endpoint: "http://10.77.0.14:2379", healthy: leaverHealthy });

    it.each([
        ["answering health", true],
        ["down, as when its host is gone (the reason to remove it)", false],
    ])("passes with a member to remove still listed and %s", (_case, leaverHealthy) => {
        const dir = fakeDockerDir();
        names.forEach((n) => writeState(dir, n, memberList(undefined, leaver), table4(leaverHealthy)));
        const r = run(dir, spec());
        expect(r.code).toBe(0);
        expect(r.stdout).toMatch(/^etcd cluster seed: 3 of 3 members started and healthy; also listed, not wanted, removed after this check: etcd-n4\(dd44\)/);
    });

    it("does not count a member to remove as one of the healthy members", () => {
        const dir = fakeDockerDir();
        names.forEach((n) => writeState(dir, n, memberList(undefined, leaver), healthTable([true, true, false], { endpoint: "http://10.77.0.14:2379", healthy: true })));
        const r = run(dir, spec());
        expect(r.code).toBe(1);
        expect(r.stderr).toMatch(/2 of 3 members healthy\./);
    });

    it.each([
        ["fails on a learner added for a wanted member (its peer URL) and never promoted", "http://10.77.0.13:2380", 1],
        ["passes with a learner for a peer URL it does not want (added, never started, dropped from the program)", "http://10.77.0.14:2380", 0],
    ])("%s", (_case, peer, code) => {
        const dir = fakeDockerDir();
        const learner = memberEntry("dd44", "", peer, "", true);
        names.forEach((n) => writeState(dir, n, memberList(undefined, learner), healthTable([true, true, true])));
        const r = run(dir, spec());
        expect(r.code).toBe(code);
        if (code === 1) expect(r.stderr).toContain("learners not promoted (a join that did not finish): <unnamed>(dd44)");
    });
});
