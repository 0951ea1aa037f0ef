/**
 * The docker provider's configuration (`pulumi:providers:docker` inputs, or the stack's `docker:*` config for the
 * default provider) and the Docker engine it reaches. Modelled: host, sshOpts, the TLS material of a tcp host,
 * certPath, disableDockerDaemonCheck. Refused: registry credentials (nothing here pulls or pushes) and the rest.
 */
import { checkKeys, NotModelled } from "../refuse";
import { Props } from "../values";
import { DockerHost, DockerHostOptions } from "./dockerHost";

const CONFIG_KEYS = [
  "host", "sshOpts", "caMaterial", "certMaterial", "keyMaterial", "certPath", "registryAuth", "disableDockerDaemonCheck",
  "version", "pluginDownloadURL",
];

/**
 * A bridged provider's SDK sends every non-string configuration value JSON-encoded (@pulumi/docker provider.ts:
 * `pulumi.output(args.sshOpts).apply(JSON.stringify)`), and the engine does the same for stack config; both
 * forms are read here.
 */
const decode = (v: unknown) => {
  if (typeof v !== "string") return v;
  try {
    return JSON.parse(v);
  } catch {
    return v;
  }
};

/** What reaches a Docker host, and whether the daemon is checked on first use (disableDockerDaemonCheck unset). */
export interface DockerConfig extends DockerHostOptions {
  check: boolean;
}

/**
 * The configuration as the provider reads it; the host defaults as the real one's does: DOCKER_HOST, else the
 * local socket (kreuzwerker/terraform-provider-docker v4.5.0 internal/provider/provider.go, host DefaultFunc).
 */
export function dockerConfig(config: Props): DockerConfig {
  checkKeys("docker Provider", config, CONFIG_KEYS);
  const sshOpts = decode(config.sshOpts);
  const registryAuth = decode(config.registryAuth);
  if (Array.isArray(registryAuth) && registryAuth.length > 0) {
    throw new NotModelled("the provider plugin does not model docker Provider input 'registryAuth' (it never pulls or pushes)");
  }
  if (sshOpts != null && (!Array.isArray(sshOpts) || sshOpts.some((s: unknown) => typeof s !== "string"))) {
    throw new Error(`docker Provider input 'sshOpts' must be a list of strings, got ${JSON.stringify(sshOpts)}`);
  }
  return {
    host: String(config.host ?? process.env.DOCKER_HOST ?? "unix:///var/run/docker.sock"),
    sshOpts: sshOpts?.length ? sshOpts : undefined,
    caMaterial: config.caMaterial || undefined,
    certMaterial: config.certMaterial || undefined,
    keyMaterial: config.keyMaterial || undefined,
    certPath: config.certPath || undefined,
    check: decode(config.disableDockerDaemonCheck) !== true,
  };
}

/**
 * The engine of the configured provider, reached on first use: the real provider makes its client (and pings
 * the daemon unless disableDockerDaemonCheck) when a resource operation needs it, not at configure time
 * (internal/provider/config.go, MakeClient), so a preview never dials the host.
 */
export class Engine {
  private config?: DockerConfig;
  private host?: Promise<DockerHost>;

  configure(config: Props): void {
    this.host?.then((h) => h.dispose(), () => undefined);
    this.host = undefined;
    this.config = dockerConfig(config);
  }

  get(): Promise<DockerHost> {
    if (!this.host) {
      const c = this.config ?? dockerConfig({});
      this.host = (async () => {
        const host = new DockerHost(c);
        if (c.check) {
          const r = await host.cli(["version", "--format", "{{.Server.Version}}"], { timeoutMs: 60_000 });
          if (r.code !== 0) {
            host.dispose();
            throw new Error(`Error pinging Docker server, please make sure that ${c.host} is reachable: ${r.stderr.trim()}`);
          }
        }
        return host;
      })();
      this.host.catch(() => (this.host = undefined));
    }
    return this.host;
  }
}
