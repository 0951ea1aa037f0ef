/**
 * The promote decision (decide.js `promotion`) over etcdctl's JSON, captured from etcd 3.5.16 (tests/unit/plan/etcdctl-json): four members,
 * cap2 leading (leadership moved there), cap1 (the member asked) a follower, cap4 a learner, paused while 200 keys
 * were written (it does not answer its status), then caught up; and from etcd 3.6.17 with auth on, where a learner never
 * answers its status.
 */
import * as fs from "fs";
import * as path from "path";
import { promotion } from "../../../components/plan/decide";

const read = (f: string) => fs.readFileSync(path.join(__dirname, "etcdctl-json", f), "utf8");
const list = read("3.5.16-member-list-learner.json");
const caughtUp = read("3.5.16-status-learner-caught-up.json");
const paused = read("3.5.16-status-learner-paused.json");
const learner = "http://127.0.0.1:25586";

describe("promotion", () => {
    it("sends the promote to the leader (cap2, its own client URL), not to the follower that was asked", () => {
        // IDs beyond 2^53 keep every digit: 11037955213000660210 is 992eb1c8dd9354f2, cap4's 1298212711202126841 is 12042d9526197bf9.
        expect(promotion(list, caughtUp, learner, 90)).toBe("promote 12042d9526197bf9 cap2 http://127.0.0.1:25581 413 413");
    });

    it("sends the promote to the leader while the learner does not answer its status (paused): the leader judges whether it is in sync", () => {
        expect(promotion(list, paused, learner, 90)).toMatch(/^promote 12042d9526197bf9 cap2 http:\/\/127\.0\.0\.1:25581 - \d+$/);
    });

    it("etcd 3.6.17 with auth: only the voters answer endpoint status (a learner cannot authenticate), and the promote goes to the leader", () => {
        // Captured from a 3-member 3.6.17 cluster with auth on and a started learner rp-n4 (4513088104881506791 = 3ea1b5b85380c9e7),
        // rp-n1 (8429624765928509984 = 74fc0b1003011220) leading; endpoint status --cluster failed as a whole there.
        const list36 = read("3.6.17-auth-member-list-learner.json");
        const voters36 = read("3.6.17-auth-status-voters.json");
        expect(promotion(list36, voters36, "http://10.77.0.14:46380", 90)).toMatch(/^promote 3ea1b5b85380c9e7 rp-n1 http:\/\/10\.77\.0\.11:46379 - \d+$/);
        expect(promotion(list36, voters36, "http://10.77.0.12:46380", 90)).toBe("voter 2d66f0112bbf948e");
    });

    it("waits while the learner is behind: applied index under 90 % of the leader's", () => {
        // The caught-up capture with the learner's applied index set back to 300 of the leader's 413.
        const behind = caughtUp.replace('"raftAppliedIndex":413,"dbSizeInUse":53248,"isLearner":true', '"raftAppliedIndex":300,"dbSizeInUse":53248,"isLearner":true');
        expect(behind).not.toBe(caughtUp);
        expect(promotion(list, behind, learner, 90)).toBe("wait 12042d9526197bf9 catching up: applied index 300 of the leader's 413");
        // 372 of 413 is just over 90 %.
        const close = caughtUp.replace('"raftAppliedIndex":413,"dbSizeInUse":53248,"isLearner":true', '"raftAppliedIndex":372,"dbSizeInUse":53248,"isLearner":true');
        expect(promotion(list, close, learner, 90)).toMatch(/^promote 12042d9526197bf9 cap2 /);
    });

    it("follows leadership: the member reporting itself leader at the highest term leads", () => {
        // cap3 (1764636180931543497) took over at term 4; cap2 still reports itself at term 3.
        const moved = caughtUp.replace(
            '"member_id":1764636180931543497,"revision":401,"raft_term":3},"version":"3.5.16","dbSize":53248,"leader":11037955213000660210,"raftIndex":413,"raftTerm":3',
            '"member_id":1764636180931543497,"revision":401,"raft_term":4},"version":"3.5.16","dbSize":53248,"leader":1764636180931543497,"raftIndex":413,"raftTerm":4');
        expect(moved).not.toBe(caughtUp);
        expect(promotion(list, moved, learner, 90)).toBe("promote 12042d9526197bf9 cap3 http://127.0.0.1:25583 413 413");
    });

    it("waits when no member that answered leads", () => {
        const leaderless = caughtUp.replace(/"leader":11037955213000660210/g, '"leader":0');
        expect(promotion(list, leaderless, learner, 90)).toBe("wait 12042d9526197bf9 no leader among the 4 members that answered endpoint status");
    });

    it("says voter for a member that is one, absent for one not in the list, and waits on output that is no member list", () => {
        expect(promotion(list, caughtUp, "http://127.0.0.1:25584", 90)).toBe("voter 187d3f41d23a01c9");
        expect(promotion(list, caughtUp, "http://127.0.0.1:29999", 90)).toBe("absent");
        expect(promotion("Error: context deadline exceeded", caughtUp, learner, 90)).toBe("wait - no member list");
        expect(promotion(list, "", learner, 90)).toBe("wait 12042d9526197bf9 no leader among the 0 members that answered endpoint status");
    });
});
