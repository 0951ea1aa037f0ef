/** ssh paths of the LiveDeployer (remote Command, docker provider sshOpts); runs only when the lab is up. */
import * as fs from "node:fs";
import * as docker from "@pulumi/docker";
import * as command from "@pulumi/command";
import { LiveDeployer } from "./liveDeployer";

jest.setTimeout(120_000);
const LAB = "/var/lib/etcd-lab/lab.json";
const lab = fs.existsSync(LAB) ? JSON.parse(fs.readFileSync(LAB, "utf8")) : undefined;
const maybe = lab ? it : it.skip;

maybe("runs remote commands over ssh (secret connection, env, stdin, delete) and honours provider sshOpts", async () => {
  const h = lab.hosts[0];
  const lines: string[] = [];
  const d = new LiveDeployer({ log: (l) => lines.push(l) });
  try {
    const out = await d.deploy("ssh", async () => {
      const p = new docker.Provider("p", { host: h.dockerHost, sshOpts: ["-F", lab.sshConfig, "-o", "ConnectTimeout=10"] });
      const img = new docker.RemoteImage("img", { name: lab.images["3.5"], keepLocally: true }, { provider: p });
      const cmd = new command.remote.Command("remote", {
        connection: { host: h.address, user: lab.sshUser, privateKey: fs.readFileSync(lab.sshKey, "utf8") },
        create: "echo \"$GREETING\"; cat; docker info --format '{{.DockerRootDir}}'",
        environment: { GREETING: "it's here" },
        stdin: "from-stdin\n",
        delete: "test -n \"$PULUMI_COMMAND_STDOUT\"",
      });
      return { stdout: cmd.stdout, imageId: img.imageId };
    });
    expect(out.stdout).toBe(`it's here\nfrom-stdin\n/var/lib/docker-${h.name}`);
    expect(out.imageId).toMatch(/^sha256:/);
    expect(lines.join("\n")).toContain("sshOpts: 4 args");
    expect(lines.join("\n")).not.toContain("it's here");
  } finally {
    const report = await d.destroy();
    expect(report.destroyed).toContain("command:remote:Command remote");
  }
});
