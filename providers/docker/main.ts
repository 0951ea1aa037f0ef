/**
 * The `docker` provider plugin (package docker 5.2.0, the version @pulumi/docker 5.2.0 asks for): the docker
 * provider's configuration and the Container, Volume and RemoteImage types the component uses. Each explicit
 * `docker.Provider` is a plugin process of its own, configured once with its host.
 */
import { ProviderPlugin } from "../plugin";
import { serve } from "../server";
import { dockerConfig, Engine } from "./config";
import { container, remoteImage, volume } from "./resources";
import { dockerProviderRule } from "./rules";

export function dockerPlugin(): ProviderPlugin {
  const engine = new Engine();
  return {
    name: "docker",
    version: "5.2.0",
    configRule: dockerProviderRule,
    validateConfig: (config) => void dockerConfig(config),
    async configure(config) {
      engine.configure(config);
    },
    resources: {
      "docker:index/container:Container": container(engine),
      "docker:index/volume:Volume": volume(engine),
      "docker:index/remoteImage:RemoteImage": remoteImage(engine),
    },
  };
}

if (require.main === module) {
  serve(dockerPlugin(), process.argv.slice(2)).catch((e) => {
    process.stderr.write(`docker provider plugin: ${e?.stack ?? e}\n`);
    process.exit(1);
  });
}
