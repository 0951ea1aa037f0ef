/** Reading the survey, pure: etcdctl's `member list` / `endpoint status` JSON and the survey script's tagged lines. */
import * as fs from "fs";
import * as path from "path";
import { LiveStatus, parseMemberList, parseStatuses, parseSurvey, Survey } from "../../../components/plan/survey";
import { memberEntry, memberListJson, statusEntry, statusJson } from "../etcdctlJson";

describe.each(["3.4.23", "3.5.16", "3.6.17", "3.7.4"])("parseMemberList and parseStatuses on what etcdctl %s printed", (version) => {
    const read = (what: string) => fs.readFileSync(path.join(__dirname, "etcdctl-json", `${version}-${what}.json`), "utf8");

    it("reads an unstarted learner as not started, with no name and no client URLs", () => {
        const learner = parseMemberList(read("member-list-unstarted-learner")).find((m) => m.isLearner)!;
        expect(learner).toEqual({ id: expect.stringMatching(/^[0-9a-f]+$/), started: false, name: "", peerUrls: ["http://capjson-n2:2380"], clientUrls: [], isLearner: true });
    });

    it("reads the leader, the learner, the version and the applied index of each member", () => {
        const [n1, n2] = ["n1", "n2"].map((n) => parseMemberList(read("member-list-started-learner")).find((m) => m.name === n)!.id);
        const st = parseStatuses(read("status-leader-and-learner"));
        const [major, minor, patch] = version.split(".").map(Number);
        expect(st).toEqual(expect.arrayContaining<LiveStatus>([
            { endpoint: "http://capjson-n1:2379", id: n1, version: { major, minor, patch }, isLeader: true, isLearner: false, raftTerm: 2, raftAppliedIndex: expect.any(Number) },
            { endpoint: "http://capjson-n2:2379", id: n2, version: { major, minor, patch }, isLeader: false, isLearner: true, raftTerm: 2, raftAppliedIndex: expect.any(Number) },
        ]));
        expect(st.every((x) => x.raftAppliedIndex > 0)).toBe(true);
    });

    it("reads no member and no status from an error or a client library's warning", () => {
        expect(parseMemberList("Error: context deadline exceeded")).toEqual([]);
        expect(parseStatuses(`{"level":"warn","ts":"2024-05-01T10:00:00.000Z","msg":"authentication is not enabled"}`)).toEqual([]);
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
        `ml ${memberListJson(memberEntry("11aa", "etcd-n1", "http://10.77.0.11:2380", "http://10.77.0.11:2379"),
            memberEntry("4cccd86f8b4550bd", "", "http://10.77.0.14:2380", "", true)).trim()}`,
        `es ${statusJson(statusEntry("http://10.77.0.11:2379", "11aa", { leader: true, applied: 8 })).trim()}`,
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
