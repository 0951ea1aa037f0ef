/** Reading the survey, pure: etcdctl's `member list` / `endpoint status` lines and the survey script's tagged lines. */
import { LiveMember, LiveStatus, parseMemberLine, parseStatusLine, parseSurvey, Survey } from "../../../components/plan/survey";

describe("parseMemberLine (etcdctl member list, 3.4 and 3.5 alike)", () => {
    it.each<[string, string, LiveMember | undefined]>([
        ["a started voter",
            "8e9e05c52164694d, started, infra1, http://10.77.0.11:2380, http://10.77.0.11:2379, false",
            { id: "8e9e05c52164694d", started: true, name: "infra1", peerUrls: ["http://10.77.0.11:2380"], clientUrls: ["http://10.77.0.11:2379"], isLearner: false }],
        ["an unstarted learner: no name, no client URLs",
            "4cccd86f8b4550bd, unstarted, , http://10.77.0.14:32380, , true",
            { id: "4cccd86f8b4550bd", started: false, name: "", peerUrls: ["http://10.77.0.14:32380"], clientUrls: [], isLearner: true }],
        ["several URLs, joined by a bare comma",
            "a1, started, infra2, http://10.77.0.12:2380,http://[fd00::2]:2380, http://10.77.0.12:2379,http://10.77.0.12:4001, false",
            { id: "a1", started: true, name: "infra2", peerUrls: ["http://10.77.0.12:2380", "http://[fd00::2]:2380"],
                clientUrls: ["http://10.77.0.12:2379", "http://10.77.0.12:4001"], isLearner: false }],
        ["a started learner", "b2, started, infra4, http://10.77.0.14:2380, http://10.77.0.14:2379, true",
            { id: "b2", started: true, name: "infra4", peerUrls: ["http://10.77.0.14:2380"], clientUrls: ["http://10.77.0.14:2379"], isLearner: true }],
        ["a client-library warning", `{"level":"warn","ts":"2024-01-01T00:00:00Z","caller":"clientv3/retry_interceptor.go:62","msg":"retrying of unary invoker failed"}`, undefined],
        ["an error message", "Error: context deadline exceeded", undefined],
        ["an empty line", "", undefined],
    ])("%s", (_case, line, expected) => {
        expect(parseMemberLine(line)).toEqual(expected);
    });
});

describe("parseStatusLine (etcdctl endpoint status, 3.4 and 3.5 alike)", () => {
    const status = (over: Partial<LiveStatus>): LiveStatus => ({
        endpoint: "http://127.0.0.1:2379", id: "8e9e05c52164694d", version: { major: 3, minor: 5, patch: 16 },
        isLeader: true, isLearner: false, raftTerm: 2, raftAppliedIndex: 8, ...over,
    });
    it.each<[string, string, LiveStatus | undefined]>([
        ["the leader, no errors (trailing \", \")", "http://127.0.0.1:2379, 8e9e05c52164694d, 3.5.16, 20 kB, true, false, 2, 8, 8, ", status({})],
        ["a 3.4 follower whose applied index trails its committed index",
            "http://10.77.0.12:2379, 91bc3c398fb3c146, 3.4.23, 25 kB, false, false, 7, 1200, 1187, ",
            status({ endpoint: "http://10.77.0.12:2379", id: "91bc3c398fb3c146", version: { major: 3, minor: 4, patch: 23 }, isLeader: false, raftTerm: 7, raftAppliedIndex: 1187 })],
        ["a learner", "http://10.77.0.14:2379, 4cccd86f8b4550bd, 3.5.16, 20 kB, false, true, 2, 8, 5, ",
            status({ endpoint: "http://10.77.0.14:2379", id: "4cccd86f8b4550bd", isLeader: false, isLearner: true, raftAppliedIndex: 5 })],
        ["a member without quorum: the ERRORS column holds the reason",
            "http://127.0.0.1:2379, 8e9e05c52164694d, 3.5.16, 20 kB, false, false, 3, 9, 9, etcdserver: no leader",
            status({ isLeader: false, raftTerm: 3, raftAppliedIndex: 9 })],
        ["an error message", "Error: context deadline exceeded", undefined],
        ["a client-library warning", `{"level":"warn","msg":"x, y, z, a, b, c, d, e, f"}`, undefined],
    ])("%s", (_case, line, expected) => {
        expect(parseStatusLine(line)).toEqual(expected);
    });
});

describe("parseSurvey", () => {
    const staticEnv = "ETCD_INITIAL_CLUSTER=etcd-n1=http://10.77.0.11:2380,etcd-n2=http://10.77.0.12:2380,etcd-n3=http://10.77.0.13:2380";
    const output = [
        "host 0 ok",
        "ct 0 etcd-n1 seed-etcd-n1 running",
        "host 1 unreachable",
        "host 2 ok",
        "ct 2 etcd-n3 seed-etcd-n3 exited",
        // The same container name on another host: env lines must go to the one on their own host.
        "ct 0 etcd-n3 seed-etcd-n3 created",
        `env 0 seed-etcd-n1 ${staticEnv}`,
        "env 0 seed-etcd-n1 ETCD_INITIAL_CLUSTER_STATE=new",
        "env 2 seed-etcd-n3 ETCD_INITIAL_CLUSTER_STATE=existing",
        "env 2 seed-etcd-n3 ETCD_DISCOVERY_SRV=a value with spaces",
        "env 2 no-such-container ETCD_INITIAL_CLUSTER_STATE=new",
        "vol 0 etcd-n1-data seed",
        "vol 2 etcd-n3-data <no value>",
        "asked etcd-n1",
        `{"level":"warn","ts":"2024-05-01T10:00:00.000Z","caller":"clientv3/retry_interceptor.go:62","msg":"retrying"}`,
        `ml {"level":"warn","ts":"2024-05-01T10:00:00.000Z","msg":"authentication is not enabled"}`,
        "ml 11aa, started, etcd-n1, http://10.77.0.11:2380, http://10.77.0.11:2379, false",
        "ml 4cccd86f8b4550bd, unstarted, , http://10.77.0.14:2380, , true",
        "es http://10.77.0.11:2379, 11aa, 3.5.16, 20 kB, true, false, 2, 8, 8, ",
        "es Error: context deadline exceeded",
        "",
    ].join("\n");

    it("reads hosts, containers with their bootstrap variables, the member list and statuses, skipping what it does not know", () => {
        expect(parseSurvey(output)).toEqual<Survey>({
            unreachableHosts: [1],
            volumes: [{ hostIndex: 0, name: "etcd-n1-data", cluster: "seed" }, { hostIndex: 2, name: "etcd-n3-data", cluster: undefined }],
            containers: [
                { hostIndex: 0, member: "etcd-n1", container: "seed-etcd-n1", state: "running", env: {
                    ETCD_INITIAL_CLUSTER: "etcd-n1=http://10.77.0.11:2380,etcd-n2=http://10.77.0.12:2380,etcd-n3=http://10.77.0.13:2380",
                    ETCD_INITIAL_CLUSTER_STATE: "new",
                } },
                { hostIndex: 2, member: "etcd-n3", container: "seed-etcd-n3", state: "exited", env: {
                    ETCD_INITIAL_CLUSTER_STATE: "existing", ETCD_DISCOVERY_SRV: "a value with spaces",
                } },
                { hostIndex: 0, member: "etcd-n3", container: "seed-etcd-n3", state: "created", env: {} },
            ],
            askedMember: "etcd-n1",
            members: [
                { id: "11aa", started: true, name: "etcd-n1", peerUrls: ["http://10.77.0.11:2380"], clientUrls: ["http://10.77.0.11:2379"], isLearner: false },
                { id: "4cccd86f8b4550bd", started: false, name: "", peerUrls: ["http://10.77.0.14:2380"], clientUrls: [], isLearner: true },
            ],
            statuses: [{ endpoint: "http://10.77.0.11:2379", id: "11aa", version: { major: 3, minor: 5, patch: 16 }, isLeader: true, isLearner: false, raftTerm: 2, raftAppliedIndex: 8 }],
        });
    });

    it("says nobody answered when no member was asked: only what the hosts showed", () => {
        expect(parseSurvey("host 0 ok\nct 0 etcd-n1 seed-etcd-n1 exited\nhost 1 unreachable\nhost 2 unreachable\n")).toEqual<Survey>({
            unreachableHosts: [1, 2],
            volumes: [],
            containers: [{ hostIndex: 0, member: "etcd-n1", container: "seed-etcd-n1", state: "exited", env: {} }],
            members: [],
            statuses: [],
        });
    });

    it("reads an empty output as an empty cluster", () => {
        expect(parseSurvey("")).toEqual<Survey>({ unreachableHosts: [], volumes: [], containers: [], members: [], statuses: [] });
    });
});

/**
 * etcdctl 3.6 prints 16 columns in `endpoint status` (storage version, in use, percentage not in use and quota
 * after the db size; downgrade target and enabled after the errors), not 3.4/3.5's 10:
 * etcd-io/etcd v3.6.14 etcdctl/ctlv3/command/printer.go makeEndpointStatusTable. Once a member runs 3.6, the
 * survey reads its line with 3.5's columns, and the leader, learners and applied indexes come out wrong.
 */
it("parseStatusLine reads etcdctl 3.6's endpoint status line (the leader, its applied index)", () => {
    expect(parseStatusLine("http://127.0.0.1:2379, 8e9e05c52164694d, 3.6.14, 3.6.0, 98 kB, 98 kB, 0%, 0 B, true, false, 2, 8, 8, , , false"))
        .toEqual<LiveStatus>({ endpoint: "http://127.0.0.1:2379", id: "8e9e05c52164694d", version: { major: 3, minor: 6, patch: 14 },
            isLeader: true, isLearner: false, raftTerm: 2, raftAppliedIndex: 8 });
});
