/** The command plugin's Check and Diff (pulumi-command v1.2.1's schema through pulumi-go-provider's infer). */
import { commandRule, checkInputs, LOCAL, REMOTE, RUN } from "../../../providers/command/schema";
import { diffByRule } from "../../../providers/rules";
import { NotModelled } from "../../../providers/refuse";
import { secretValue, UNKNOWN } from "../../../providers/values";

describe("checkInputs", () => {
  it("passes the local inputs the component sets, unchanged", () => {
    const news = { create: "c", delete: "d", environment: { A: secretValue("s") }, triggers: ["x", 1], logging: "none" };
    expect(checkInputs(LOCAL, news)).toEqual({ inputs: news, failures: [] });
  });

  it("fills the connection's defaults and marks it secret as a whole", () => {
    const { inputs, failures } = checkInputs(REMOTE, { create: "c", connection: { host: "h", privateKey: secretValue("K") } });
    expect(failures).toEqual([]);
    expect(inputs.connection).toEqual(secretValue({ host: "h", privateKey: "K", user: "root", port: 22, dialErrorLimit: 10, perDialTimeout: 15 }));
  });

  it("keeps what was given over the defaults", () => {
    const { inputs } = checkInputs(REMOTE, { connection: { host: "h", user: "u", port: 2222 } });
    expect(inputs.connection.value).toMatchObject({ user: "u", port: 2222 });
  });

  it("fails unknown fields, wrong types and a missing connection or command as the real Check does", () => {
    expect(checkInputs(LOCAL, { create: 1, nope: true, logging: "loud" }).failures.map((f) => f.property)).toEqual(["create", "nope", "logging"]);
    expect(checkInputs(REMOTE, { create: "c" }).failures).toEqual([{ property: "connection", reason: "missing required field 'connection'" }]);
    expect(checkInputs(REMOTE, { connection: { port: "22" } }).failures.map((f) => f.property)).toEqual(["connection.port", "connection.host"]);
    expect(checkInputs(RUN, {}).failures.map((f) => f.property)).toEqual(["command"]);
  });

  it("lets unknown values through in a preview", () => {
    expect(checkInputs(LOCAL, { create: UNKNOWN, environment: UNKNOWN }).failures).toEqual([]);
    expect(checkInputs(REMOTE, { connection: UNKNOWN }).inputs.connection).toBe(UNKNOWN);
  });

  it.each([
    [LOCAL, { assetPaths: ["*.txt"] }, "assetPaths"],
    [LOCAL, { archivePaths: ["dist/**"] }, "archivePaths"],
    [RUN, { command: "c", assetPaths: [] }, "assetPaths"],
    [REMOTE, { connection: { host: "h" }, environment: { A: "b" } }, "environment"],
    [REMOTE, { connection: { host: "h", password: "p" } }, "connection.password"],
    [REMOTE, { connection: { host: "h", hostKey: "ssh-ed25519 AAAA" } }, "connection.hostKey"],
    [REMOTE, { connection: { host: "h", proxy: { host: "b" } } }, "connection.proxy"],
    [REMOTE, { connection: { host: "h", agentSocketPath: "/s" } }, "connection.agentSocketPath"],
    [REMOTE, { connection: { host: "h", privateKeyPassword: "p" } }, "connection.privateKeyPassword"],
  ])("refuses %s input %j by name (not modelled)", (token, news, key) => {
    expect(() => checkInputs(token, news)).toThrow(NotModelled);
    expect(() => checkInputs(token, news)).toThrow(`'${key}'`);
  });

  it("refuses the resources it does not model", () => {
    expect(() => checkInputs("command:remote:CopyToRemote", {})).toThrow(NotModelled);
  });
});

describe("commandRule", () => {
  it("replaces on a triggers change only; every other change is an update", () => {
    const rule = commandRule(LOCAL);
    expect(diffByRule(LOCAL, rule, { create: "a", triggers: [1] }, { create: "b", triggers: [1] })).toEqual({ changed: ["create"], replaceKeys: [] });
    expect(diffByRule(LOCAL, rule, { create: "a", triggers: [1] }, { create: "a", triggers: [2] })).toEqual({ changed: ["triggers"], replaceKeys: ["triggers"] });
    expect(diffByRule(LOCAL, rule, { create: "a" }, { create: "a", logging: "none", environment: { A: "1" } }).replaceKeys).toEqual([]);
    expect(rule.deleteBeforeReplace).toBe(false);
  });

  it("sees no change where only secretness or key order differs, and an unknown trigger as a replace", () => {
    const rule = commandRule(REMOTE);
    const conn = { host: "h", port: 22 };
    expect(diffByRule(REMOTE, rule, { connection: secretValue(conn) }, { connection: secretValue({ port: 22, host: "h" }) }).changed).toEqual([]);
    expect(diffByRule(REMOTE, rule, { triggers: ["a"] }, { triggers: [UNKNOWN] }).replaceKeys).toEqual(["triggers"]);
  });
});
