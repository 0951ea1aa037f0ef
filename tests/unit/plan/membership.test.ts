/**
 * Membership planning, pure: from the desired members and a survey of the running cluster, which members found,
 * exist or join, which leave, in what order members roll, and what is refused before anything changes.
 */
import { EtcdClusterArgs, EtcdMemberArgs } from "../../../components/args";
import { planCluster } from "../../../components/plan/cluster";
import { MembershipPlan, planMembership } from "../../../components/plan/membership";
import { LiveMember, LiveStatus, Survey, SurveyContainer } from "../../../components/plan/survey";
import { resolveClusterArgs } from "../../../components/resolve/cluster";
import { parseEtcdVersion } from "../../../components/resolve/etcdVersion";
import { labHosts } from "../fixtures";

/** The lab's three hosts and two more: member etcd-n<i> runs on h<i> at 10.77.0.1<i>. */
const hosts = [...labHosts, { name: "h4", url: "ssh://root@10.77.0.14" }, { name: "h5", url: "ssh://root@10.77.0.15" }];
const member = (i: number, over: Partial<EtcdMemberArgs> = {}): EtcdMemberArgs => ({ name: `etcd-n${i}`, host: `h${i}`, ...over });
const members = (...ns: number[]) => ns.map((i) => member(i));
const peer = (i: number) => `http://10.77.0.${10 + i}:2380`;

/** Member etcd-n<i> as etcd lists it, ID `a<i>`. */
const live = (i: number, over: Partial<LiveMember> = {}): LiveMember => ({
    id: `a${i}`, started: true, name: `etcd-n${i}`, peerUrls: [peer(i)], clientUrls: [`http://10.77.0.${10 + i}:2379`], isLearner: false, ...over,
});
const status = (i: number, over: Partial<LiveStatus> = {}): LiveStatus => ({
    endpoint: `http://10.77.0.${10 + i}:2379`, id: `a${i}`, version: parseEtcdVersion("3.5.16"), isLeader: false, isLearner: false,
    raftTerm: 2, raftAppliedIndex: 100, ...over,
});
/** etcd-n<i>'s container, on host index i - 1 (h<i>, when the deployment uses h1… in order), founded with static bootstrap. */
const container = (i: number, over: Partial<SurveyContainer> = {}): SurveyContainer => ({
    hostIndex: i - 1, member: `etcd-n${i}`, container: `etcd-n${i}`, state: "running",
    env: { ETCD_INITIAL_CLUSTER: [1, 2, 3].map((j) => `etcd-n${j}=${peer(j)}`).join(","), ETCD_INITIAL_CLUSTER_STATE: "new" }, ...over,
});

const nobody: Survey = { unreachableHosts: [], volumes: [], containers: [], members: [], statuses: [] };
/** A healthy running cluster of members etcd-n<i> (i in `ns`), each with its container, etcd-n<leader> leading; etcd-n<ns[0]> answered. */
const running = (ns: number[], leader: number, over: Partial<Survey> = {}): Survey => ({
    unreachableHosts: [],
    volumes: [],
    containers: ns.map((i) => container(i)),
    askedMember: `etcd-n${ns[0]}`,
    members: ns.map((i) => live(i)),
    statuses: ns.map((i) => status(i, { isLeader: i === leader })),
    ...over,
});

function plan(args: Partial<EtcdClusterArgs>, survey: Survey): MembershipPlan {
    const cluster = resolveClusterArgs("seed", { image: "local/etcd:v3.5.16", hosts, members: members(1, 2, 3), ...args });
    return planMembership(cluster, planCluster(cluster), survey);
}

interface Expected {
    clusterState?: MembershipPlan["clusterState"];
    roles?: MembershipPlan["roles"];
    order?: string[];
    leader?: string;
    /** Names (or IDs of unnamed members) of the members that leave. */
    leaving?: string[];
    /** One pattern per problem; none when empty. */
    problems: RegExp[];
}

describe("planMembership", () => {
    it.each<[string, Partial<EtcdClusterArgs>, Survey, Expected]>([
        ["a new cluster (no container, nobody answered): every member founds it, in member order",
            {}, nobody,
            { clusterState: "new", roles: { "etcd-n1": "found", "etcd-n2": "found", "etcd-n3": "found" }, order: ["etcd-n1", "etcd-n2", "etcd-n3"], leaving: [], problems: [] }],
        ["a running cluster, same members: all existing, the leader rolls last",
            {}, running([1, 2, 3], 1),
            { clusterState: "running", roles: { "etcd-n1": "existing", "etcd-n2": "existing", "etcd-n3": "existing" },
                order: ["etcd-n2", "etcd-n3", "etcd-n1"], leader: "etcd-n1", leaving: [], problems: [] }],
        ["scale out 3 → 5: the two new members join after the existing ones",
            { members: members(1, 2, 3, 4, 5) }, running([1, 2, 3], 2),
            { roles: { "etcd-n1": "existing", "etcd-n2": "existing", "etcd-n3": "existing", "etcd-n4": "join", "etcd-n5": "join" },
                order: ["etcd-n1", "etcd-n3", "etcd-n2", "etcd-n4", "etcd-n5"], leader: "etcd-n2", leaving: [], problems: [] }],
        ["scale in 5 → 3: two of five leave, three keep quorum; the leaving leader is still reported",
            {}, running([1, 2, 3, 4, 5], 5),
            { roles: { "etcd-n1": "existing", "etcd-n2": "existing", "etcd-n3": "existing" }, order: ["etcd-n1", "etcd-n2", "etcd-n3"],
                leader: "etcd-n5", leaving: ["etcd-n4", "etcd-n5"], problems: [] }],
        ["scale in 3 → 1 is refused: one member cannot hold the quorum of three",
            { members: members(1) }, running([1, 2, 3], 1),
            { leaving: ["etcd-n2", "etcd-n3"], problems: [
                /^members: this deployment removes "etcd-n2", "etcd-n3" from a cluster of 3 voting members; the 1 remaining could not hold quorum \(2\).*Remove at most 1 member\(s\) per deployment\.$/,
            ] }],
        ["scale in 2 → 1 is refused, pointing at etcd-io/etcd#1994",
            { members: members(1) }, running([1, 2], 1),
            { leaving: ["etcd-n2"], problems: [/^members: this deployment removes "etcd-n2" from a cluster of 2 voting members.*etcd-io\/etcd#1994\): add a member first, or remove it by hand with etcdctl member remove/] }],
        ["leaving learners do not count against quorum: a voter and a learner of three voters may leave together",
            { members: members(1, 2) }, running([1, 2, 3], 1, { members: [live(1), live(2), live(3), live(4, { isLearner: true })] }),
            { leaving: ["etcd-n3", "etcd-n4"], order: ["etcd-n2", "etcd-n1"], problems: [] }],
        ["an unstarted learner no deployment wants leaves, by its ID",
            {}, running([1, 2, 3], 3, { members: [live(1), live(2), live(3), live(4, { id: "b4", started: false, name: "", clientUrls: [], isLearner: true })] }),
            { leaving: ["b4"], order: ["etcd-n1", "etcd-n2", "etcd-n3"], problems: [] }],
        ["a member an earlier deployment added (unstarted learner, matched by peer URL) and whose container is not there yet: its join continues",
            { members: members(1, 2, 3, 4) },
            running([1, 2, 3], 1, { members: [live(1), live(2), live(3), live(4, { id: "b4", started: false, name: "", clientUrls: [], isLearner: true })] }),
            { roles: { "etcd-n1": "existing", "etcd-n2": "existing", "etcd-n3": "existing", "etcd-n4": "join" },
                order: ["etcd-n2", "etcd-n3", "etcd-n1", "etcd-n4"], leaving: [], problems: [] }],
        ["a member on an unreachable host stays existing: its container cannot be seen, not gone",
            {}, running([1, 2, 3], 1, { unreachableHosts: [2], containers: [container(1), container(2)] }),
            { roles: { "etcd-n1": "existing", "etcd-n2": "existing", "etcd-n3": "existing" }, problems: [] }],
        ["a member whose peer URL changes in place is refused",
            { members: [member(1), member(2, { peerPort: 12380 }), member(3)] }, running([1, 2, 3], 1),
            { problems: [/^members\[1\] \("etcd-n2"\): the running member advertises peer URL http:\/\/10\.77\.0\.12:2380, this deployment would give it http:\/\/10\.77\.0\.12:12380\. .*remove it in one deployment and add it/] }],
        ["a new member on a peer URL a running member has is refused",
            { members: [member(1), member(2), member(4, { host: "h3" })] }, running([1, 2, 3], 1),
            { leaving: ["etcd-n3"], problems: [/^members\[2\] \("etcd-n4"\): peer URL http:\/\/10\.77\.0\.13:2380 belongs to the running member "etcd-n3"\. Remove "etcd-n3" in one deployment, then add "etcd-n4" in the next\.$/] }],
        ["a started member whose container is gone is refused, with the member remove that gets out",
            {}, running([1, 2, 3], 1, { containers: [container(1), container(2)] }),
            { problems: [/^members\[2\] \("etcd-n3"\): the cluster lists it as started \(ID a3\) but its container "etcd-n3" is gone from "h3".*etcdctl member remove a3\)/] }],
        ["a new cluster whose volumes a destroyed cluster of the same name kept: every member founds it again on its data",
            {}, { ...nobody, volumes: [1, 2, 3].map((i) => ({ hostIndex: i - 1, name: `etcd-n${i}-data`, cluster: "seed" })) },
            { clusterState: "new", roles: { "etcd-n1": "found", "etcd-n2": "found", "etcd-n3": "found" }, problems: [] }],
        ["a member whose volume holds another cluster's data is refused, naming the volume, its cluster and the way out",
            {}, { ...nobody, volumes: [{ hostIndex: 1, name: "etcd-n2-data", cluster: "billing" }] },
            { problems: [/^members\[1\]\.volumeName: volume "etcd-n2-data" on host "h2" already exists and holds the data of EtcdCluster "billing" \(label etcd-cluster\.cluster=billing\); member "etcd-n2" would start on it\. Delete it \(docker volume rm etcd-n2-data on that host\).*or give the member another volumeName\.$/] }],
        ["a joining member whose volume holds another cluster's data is refused too",
            { members: members(1, 2, 3, 4) }, running([1, 2, 3], 1, { volumes: [{ hostIndex: 3, name: "etcd-n4-data", cluster: "billing" }] }),
            { problems: [/^members\[3\]\.volumeName: volume "etcd-n4-data" on host "h4" .* EtcdCluster "billing"/] }],
        ["a volume of the same name on another host is no concern",
            {}, { ...nobody, volumes: [{ hostIndex: 0, name: "etcd-n2-data", cluster: "billing" }] },
            { clusterState: "new", problems: [] }],
        ["a bootstrap mode other than the one the founders were started with is refused",
            {}, running([1, 2, 3], 1, { containers: [1, 2, 3].map((i) => container(i, { env: { ETCD_DISCOVERY_SRV: "etcd.lab", ETCD_INITIAL_CLUSTER_STATE: "new" } })) }),
            { problems: [/^bootstrap\.mode: "static", but the running cluster was bootstrapped with "dns"\. .*set it back to "dns"/] }],
        ["members that joined (state existing) say nothing about the bootstrap mode",
            {}, running([1, 2, 3], 1, { containers: [container(1), ...[2, 3].map((i) => container(i, { env: { ETCD_INITIAL_CLUSTER: "x", ETCD_INITIAL_CLUSTER_STATE: "existing" } }))] }),
            { problems: [] }],
        ["containers but nobody answers: members with a container exist, one without cannot be added",
            {}, { ...nobody, containers: [container(1, { state: "exited" }), container(2, { state: "restarting" })] },
            { clusterState: "unanswered", roles: { "etcd-n1": "existing", "etcd-n2": "existing" }, order: ["etcd-n1", "etcd-n2", "etcd-n3"],
                problems: [/^members\[2\] \("etcd-n3"\): cannot add it, no member of the cluster answers \(containers: etcd-n1 exited, etcd-n2 restarting\)\. Bring the cluster back to health first/] }],
        ["containers but nobody answers, every member has its container: they are replaced as they are (a cluster that is down may be repaired)",
            {}, { ...nobody, containers: [1, 2, 3].map((i) => container(i, { state: "exited" })) },
            { clusterState: "unanswered", roles: { "etcd-n1": "existing", "etcd-n2": "existing", "etcd-n3": "existing" }, problems: [] }],
        ["the upgrade path is checked against the versions the members run",
            { image: "local/etcd:v3.6.14" }, running([1, 2, 3], 1, { statuses: [1, 2, 3].map((i) => status(i, { version: parseEtcdVersion("3.4.23") })) }),
            { problems: [/^image: "local\/etcd:v3\.6\.14" \(etcd 3\.6\.14\) skips a minor version/] }],
    ])("%s", (_case, args, survey, { leaving, problems, ...expected }) => {
        const out = plan(args, survey);
        expect(out).toMatchObject(expected);
        if (leaving) expect(out.leaving.map((l) => l.name || l.id)).toEqual(leaving);
        expect(out.problems).toHaveLength(problems.length);
        problems.forEach((p, i) => expect(out.problems[i]).toMatch(p));
    });

    it("refuses a member whose container runs on another host than the one it is given", () => {
        // etcd-n3 moves from h3 to h1 (other ports there); h3 still runs etcd-n4, so the survey sees etcd-n3's old container on it.
        const out = plan({ members: [member(1), member(2), member(3, { host: "h1", clientPort: 22379, peerPort: 22380 }), member(4, { host: "h3" })] },
            running([1, 2, 3], 1));
        expect(out.problems).toContainEqual(expect.stringMatching(
            /^members\[2\]\.host: member "etcd-n3" runs on another host \(host #3 of hosts in use\) than "h1"\. A member does not move between hosts/));
    });

    it("warns, and checks no upgrade path, when the image's etcd version is unknown", () => {
        const out = plan({ image: "local/etcd:latest" }, running([1, 2, 3], 1, { statuses: [1, 2, 3].map((i) => status(i, { version: parseEtcdVersion("3.4.23") })) }));
        expect(out.problems).toEqual([]);
        expect(out.warnings).toEqual([expect.stringMatching(/^EtcdCluster "seed": the etcd version of "local\/etcd:latest" is unknown.*set etcdVersion\.$/)]);
    });

    it("has no leader when no status says so (order is then member order)", () => {
        const out = plan({}, running([1, 2, 3], 0));
        expect(out.leader).toBeUndefined();
        expect(out.order).toEqual(["etcd-n1", "etcd-n2", "etcd-n3"]);
    });
});

it("uses a volume it did not make as it is, with a warning", () => {
    const p = plan({}, { ...nobody, volumes: [{ hostIndex: 0, name: "etcd-n1-data" }] });
    expect(p.problems).toEqual([]);
    expect(p.warnings).toEqual([`members[0].volumeName: volume "etcd-n1-data" on host "h1" exists and was not made by this component; member "etcd-n1" uses it with whatever data it holds.`]);
});

describe("learners left behind", () => {
    it("names a desired member the cluster lists as a learner, with its container, so that its promote runs again", () => {
        const survey = running([1, 2, 3], 1);
        survey.members.push(live(4, { isLearner: true }));
        survey.containers.push(container(4));
        const mp = plan({ members: members(1, 2, 3, 4) }, survey);
        expect(mp.problems).toEqual([]);
        expect(mp.roles["etcd-n4"]).toBe("existing");
        expect(mp.learners).toEqual({ "etcd-n4": "a4" });
    });

    it("names no learner in a cluster of voters, and a learner dropped from the program leaves", () => {
        expect(plan({}, running([1, 2, 3], 1)).learners).toEqual({});
        const survey = running([1, 2, 3], 1);
        survey.members.push(live(4, { isLearner: true }));
        const mp = plan({}, survey);
        expect(mp.learners).toEqual({});
        expect(mp.leaving.map((l) => l.name)).toEqual(["etcd-n4"]);
        expect(mp.problems).toEqual([]);
    });
});
