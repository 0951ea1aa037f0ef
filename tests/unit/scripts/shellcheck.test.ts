/**
 * Every script the component generates passes shellcheck (Debian's package, `apt-get install shellcheck`) as POSIX sh
 * at warning level: the scripts of every command an EtcdCluster creates under the mocks, in configurations that reach
 * every role and option (a new cluster with DNS bootstrap through a remote dnsmasq, and maintenance; a member joining a running TLS + auth cluster;
 * a restore), its diagnosis, and the survey. Notes and style hints are left out (`-S warning`): the decisions'
 * JavaScript sits in single quotes on purpose (SC2016), and the shell functions are called indirectly (SC2317).
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { EtcdCluster } from "../../../components/resources/etcdCluster";
import { planCluster } from "../../../components/plan/cluster";
import { resolveClusterArgs } from "../../../components/resolve/cluster";
import { clusterAccess } from "../../../components/scripts/access";
import { surveyScript } from "../../../components/scripts/survey";
import { surveyEtcdLines } from "../etcdctlJson";
import { labHosts, labMembers } from "../fixtures";
import { created, installMocks, mockSurvey, promiseOf, settled, unwrap } from "../mockRuntime";
import { tempDir } from "../tempDir";

installMocks();
// A bound, not an expectation: the mocks and shellcheck share the machine with whatever else runs (CI builds Go beside them).
jest.setTimeout(400_000);

const shellcheck = spawnSync("shellcheck", ["--version"], { encoding: "utf8" });
it("finds shellcheck on PATH", () => {
    // A missing tool fails here, with the fix, rather than skipping the checks below.
    expect(shellcheck.error ? "shellcheck is not installed: apt-get install shellcheck (Debian's package)" : "found").toBe("found");
});

/** The survey of etcd-n1..n3 running, asked through etcd-n1: what a join plans from. */
const running = [
    ...[0, 1, 2].map((h) => `host ${h} ok`),
    ...[1, 2, 3].map((i) => `ct ${i - 1} etcd-n${i} etcd-n${i} running`),
    ...[1, 2, 3].map((i) => `env ${i - 1} etcd-n${i} ETCD_INITIAL_CLUSTER_STATE=new`),
    "asked etcd-n1",
    ...surveyEtcdLines(["a1", "a2", "a3"], 1),
].join("\n");
const hosts4 = [...labHosts, { name: "h4", url: "tcp://10.77.0.14:2376", caMaterial: "CA", certMaterial: "CERT", keyMaterial: "KEY" }];
const members4 = [...labMembers, { name: "etcd-n4", host: "h4" }];

const configs: [string, string, object][] = [
    ["new", "", {
        image: "local/etcd:v3.6.17", hosts: labHosts, members: labMembers, operations: { maintenance: { host: "h1" } },
        bootstrap: { mode: "dns", dns: { domain: "etcd.lab", dnsmasq: { remote: { host: "10.77.0.1", user: "admin" } } } },
    }],
    ["join", running, {
        image: "local/etcd:v3.5.16", hosts: hosts4, members: members4, auth: { enabled: true }, rollout: { snapshotDir: "/tmp/etcd-snapshots" },
    }],
    ["restore", "", { image: "local/etcd:v3.6.17", hosts: hosts4, members: members4, restore: { snapshot: __filename } }],
];

/** Every script of every command the cluster creates (create, update, delete), and its diagnosis. */
async function scriptsOf(label: string, survey: string, args: object): Promise<[string, string][]> {
    created.length = 0;
    mockSurvey.output = survey;
    try {
        const c = new EtcdCluster(`sc${label}`, args as never);
        await settled(c);
        const scripts: [string, string][] = [[`${label} diagnoseScript`, await promiseOf(c.diagnoseScript)]];
        for (const r of created.filter((x) => x.type.startsWith("command:"))) {
            for (const k of ["create", "update", "delete"]) {
                const v = r.inputs[k] === undefined ? undefined : unwrap(r.inputs[k]).value;
                if (typeof v === "string" && v !== "true") scripts.push([`${r.name} ${k}`, v]);
            }
        }
        return scripts;
    } finally {
        mockSurvey.output = "";
    }
}

function check(scripts: [string, string][]): string[] {
    const dir = tempDir("shellcheck-");
    const files = scripts.map(([name], i) => path.join(dir, `${i}-${name.replace(/[^a-z0-9-]+/gi, "_")}.sh`));
    scripts.forEach(([, text], i) => fs.writeFileSync(files[i], text));
    const r = spawnSync("shellcheck", ["-s", "sh", "-S", "warning", "-f", "gcc", ...files], { encoding: "utf8" });
    return r.stdout.split("\n").filter((l) => l !== "").map((l) => l.replace(`${dir}/`, ""));
}

it.each(configs)("the %s cluster's scripts have no shellcheck warning", async (label, survey, args) => {
    const scripts = await scriptsOf(label, survey, args);
    expect(scripts.length).toBeGreaterThan(10);
    expect(check(scripts)).toEqual([]);
});

it("the survey's script has no shellcheck warning, with and without auth", () => {
    const plan = planCluster(resolveClusterArgs("sc", { image: "local/etcd:v3.6.17", hosts: hosts4, members: members4 }));
    const volumes = plan.members.map((m, i) => ({ hostIndex: i, volumeName: m.volumeName }));
    const access = clusterAccess("sc", plan);
    expect(check([["survey", surveyScript({ ...access, volumes })], ["survey-auth", surveyScript({ ...access, auth: true, volumes })]])).toEqual([]);
});

it("finds what it is for: an unquoted command substitution in a script is a warning", () => {
    expect(check([["bad", "set -u\nx=$(printf '%s' \"$(date) x\")\nset -- $(printf 'a b')\necho \"$x $1\"\n"]])).toEqual([
        expect.stringMatching(/SC2046/),
    ]);
});
