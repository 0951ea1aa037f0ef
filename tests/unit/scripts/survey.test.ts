/** The survey script, run for real under /bin/sh against a fake docker: what it prints must parse into what the hosts and etcd said. */
import { parseSurvey, Survey } from "../../../components/plan/survey";
import { spawnSync } from "child_process";
import { membershipCheckScript, surveyScript, SurveySpec } from "../../../components/scripts/survey";
import { memberEntry, memberListJson, statusEntry, statusJson } from "../etcdctlJson";
import { FakeDocker, fakeHost } from "./fakeDocker";

const names = ["etcd-n1", "etcd-n2", "etcd-n3"];
const spec = (over: Partial<SurveySpec> = {}): SurveySpec => ({
    clusterName: "seed",
    hosts: ["h0", "h1", "h2"].map(fakeHost),
    probes: names.map((n, i) => ({ member: n, hostIndex: i, containerName: n, localClientUrl: "http://127.0.0.1:2379" })),
    etcdctlFlags: [],
    auth: false,
    volumes: names.map((n, i) => ({ hostIndex: i, volumeName: `${n}-data` })),
    ...over,
});
const list = memberListJson(...names.map((n, i) => memberEntry(`a${i + 1}`, n, `http://10.77.0.1${i + 1}:2380`, `http://10.77.0.1${i + 1}:2379`)));
const statuses = statusJson(...names.map((_, i) => statusEntry(`http://10.77.0.1${i + 1}:2379`, `a${i + 1}`, { leader: i === 1 })));
const initialCluster = "etcd-n1=http://10.77.0.11:2380,etcd-n2=http://10.77.0.12:2380,etcd-n3=http://10.77.0.13:2380";

it("prints, one fact a line, each host's containers with their bootstrap variables and etcd's member list and statuses; a host down is part of the answer", () => {
    const docker = new FakeDocker()
        .answer("h0", "ps", { out: "etcd-n1 etcd-n1 running\n" })
        .answer("h0", "inspect", { out: `/etcd-n1 ETCD_NAME=etcd-n1\n/etcd-n1 ETCD_INITIAL_CLUSTER=${initialCluster}\n/etcd-n1 PATH=/usr/local/bin\n/etcd-n1 ETCD_INITIAL_CLUSTER_STATE=new\n\n` })
        .down("h1")
        // A container of the cluster without a member label (not the component's) is no member's.
        .answer("h2", "ps", { out: " stray exited\netcd-n3 etcd-n3 exited\n" })
        .answer("h2", "inspect", { out: "/etcd-n3 ETCD_INITIAL_CLUSTER_STATE=existing\n/etcd-n3 ETCD_INITIAL_CLUSTER=etcd-n1=http://10.77.0.11:2380,etcd-n3=http://10.77.0.13:2380\n" })
        // The volume of a cluster destroyed earlier (its label), one made by hand (no label).
        .answer("h0", "volume", { out: "etcd-n1-data old\n" })
        .answer("h2", "volume", { out: "etcd-n3-data <no value>\n" })
        .answer("etcd-n1", "member-list", { out: list, err: `{"level":"warn","msg":"retrying of unary invoker failed"}\n` })
        .answer("etcd-n1", "status-cluster", { out: statuses });
    const r = docker.run(surveyScript(spec()));
    expect(r.code).toBe(0);
    expect(parseSurvey(r.stdout)).toEqual<Survey>({
        unreachableHosts: [1],
        volumes: [{ hostIndex: 0, name: "etcd-n1-data", cluster: "old" }, { hostIndex: 2, name: "etcd-n3-data", cluster: undefined }],
        containers: [
            { hostIndex: 0, member: "etcd-n1", container: "etcd-n1", state: "running", env: { ETCD_INITIAL_CLUSTER: initialCluster, ETCD_INITIAL_CLUSTER_STATE: "new" } },
            { hostIndex: 2, member: "etcd-n3", container: "etcd-n3", state: "exited",
                env: { ETCD_INITIAL_CLUSTER_STATE: "existing", ETCD_INITIAL_CLUSTER: "etcd-n1=http://10.77.0.11:2380,etcd-n3=http://10.77.0.13:2380" } },
        ],
        askedMember: "etcd-n1",
        members: names.map((n, i) => ({ id: `a${i + 1}`, started: true, name: n, peerUrls: [`http://10.77.0.1${i + 1}:2380`], clientUrls: [`http://10.77.0.1${i + 1}:2379`], isLearner: false })),
        statuses: names.map((_, i) => expect.objectContaining({ id: `a${i + 1}`, isLeader: i === 1, raftAppliedIndex: 100 })),
    });
    // Only this cluster's containers, stopped ones included; one inspect per host with containers.
    expect(r.calls).toContain(`h0 ps -a --filter label=etcd-cluster.cluster=seed --format {{.Label "etcd-cluster.member"}} {{.Names}} {{.State}}`);
    expect(r.calls.filter((c) => / inspect /.test(c) && !c.includes(" volume "))).toEqual([expect.stringMatching(/^h0 inspect .* etcd-n1$/), expect.stringMatching(/^h2 inspect .* etcd-n3$/)]);
    // Each host's own members' volumes, the cluster label read.
    expect(r.calls).toContain(`h0 volume inspect -f {{.Name}} {{index .Labels "etcd-cluster.cluster"}} etcd-n1-data`);
});

it("asks the members in turn until one answers, each through its own host", () => {
    const docker = new FakeDocker()
        .answer("h0", "ps", { out: "etcd-n1 etcd-n1 running\n" }).answer("h0", "inspect", { out: "" })
        .down("h1")
        .answer("h2", "ps", { out: "etcd-n3 etcd-n3 running\n" }).answer("h2", "inspect", { out: "" })
        .answer("etcd-n1", "member-list", { rc: 1, err: "Error: context deadline exceeded\n" })
        .answer("etcd-n3", "member-list", { out: list })
        .answer("etcd-n3", "status-cluster", { out: statuses });
    const r = docker.run(surveyScript(spec()));
    expect(r.code).toBe(0);
    const survey = parseSurvey(r.stdout);
    expect(survey.askedMember).toBe("etcd-n3");
    expect(survey.members).toHaveLength(3);
    expect(r.calls).toContain("h2 exec etcd-n3 /usr/local/bin/etcdctl --endpoints=http://127.0.0.1:2379 --command-timeout=3s member list -w json");
});

it("exits 0 with what it saw when no host and no member answers", () => {
    const docker = new FakeDocker().down("h0").down("h1").down("h2");
    const r = docker.run(surveyScript(spec()));
    expect(r.code).toBe(0);
    expect(parseSurvey(r.stdout)).toEqual<Survey>({ unreachableHosts: [0, 1, 2], volumes: [], containers: [], members: [], statuses: [] });
});

it("with auth, logs in as root through the environment, never argv", () => {
    const docker = new FakeDocker()
        .answer("h0", "ps", { out: "" }).answer("h1", "ps", { out: "" }).answer("h2", "ps", { out: "" })
        .answer("etcd-n1", "member-list", { out: list }).answer("etcd-n1", "status-cluster", { out: statuses });
    const script = surveyScript(spec({ auth: true, etcdctlFlags: ["--cacert=/etc/etcd/tls/ca.pem"] }));
    const r = docker.run(script, { ETCD_ROOT_PASSWORD: "s3cret" });
    expect(r.code).toBe(0);
    expect(parseSurvey(r.stdout).askedMember).toBe("etcd-n1");
    expect(r.calls).toContain("h0 exec -e ETCDCTL_USER etcd-n1 /usr/local/bin/etcdctl --cacert=/etc/etcd/tls/ca.pem --endpoints=http://127.0.0.1:2379 --command-timeout=3s member list -w json");
    expect(r.calls.join("\n") + script).not.toContain("s3cret");
});

describe("the membership check's script", () => {
    const run = (script: string) => spawnSync("/bin/sh", ["-c", script], { encoding: "utf8" });
    it("passes when the change has no problem", () => {
        expect(run(membershipCheckScript([]))).toMatchObject({ status: 0, stderr: "" });
    });
    it("fails, printing each problem on a line of its own as given, quotes and $ included", () => {
        const problems = [`image: "local/etcd:v3.4.23" would downgrade members that run etcd 3.5.16`, "it's $HOME and `x`"];
        expect(run(membershipCheckScript(problems))).toMatchObject({ status: 1, stdout: "", stderr: `${problems.join("\n")}\n` });
    });
});
