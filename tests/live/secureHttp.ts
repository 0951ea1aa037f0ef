/**
 * A {@link GatewayClient} for a TLS cluster: https agents that trust the cluster's CA and present its client
 * certificate, for the observer's `/health` (etcd's JSON gateway, https://etcd.io/docs/v3.5/dev-guide/api_grpc_gateway/).
 * No auth token: with client certificate auth and auth on, etcd refuses every `/v3/` gateway request made with a
 * certificate that has a common name, whatever token it carries (etcdctlKv.ts), so a TLS + auth cluster's keys go
 * through etcdctl.
 */
import * as https from "https";
import { GatewayClient } from "./etcdHttp";

export interface SecureAccess {
    ca: string;
    cert: string;
    key: string;
}

export function gatewayClient(access: SecureAccess): GatewayClient {
    return { agent: (keepAlive) => new https.Agent({ keepAlive, ca: access.ca, cert: access.cert, key: access.key }) };
}
