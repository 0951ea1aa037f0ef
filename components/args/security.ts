/** The arguments of secure clusters: `tls` and `auth`. */
import type * as pulumi from "@pulumi/pulumi";

/**
 * TLS settings. `auto` creates a CA, per member a server and a peer certificate, and a client certificate with
 * `@pulumi/tls` (kept in state); `provided` takes your PEMs.
 */
export interface TlsArgs {
    /**
     * - `off` (default): plain http everywhere.
     * - `auto`: the component creates an ECDSA P-256 CA and certificates whose SANs cover every name and address a
     *   member is reached by (its `address`, its DNS name and the SRV domain with DNS bootstrap, `localhost` and
     *   `127.0.0.1`), plus a client certificate (output `clientCertificate`/`clientKey`, secrets).
     * - `provided`: you pass the CA and per-member certificates in {@link TlsArgs.provided}.
     */
    mode?: "off" | "auto" | "provided";
    /**
     * `ETCD_CLIENT_CERT_AUTH`: clients must present a certificate signed by the CA. Default true with TLS.
     * With auth enabled too, a certificate's common name counts as a user name; the client certificate the
     * component makes is for `etcd-client`, which is no etcd user, so it grants nothing by itself. With auth on,
     * etcd's JSON gateway (`/v3/...` over HTTP) refuses (400) every request made with a certificate that has a common
     * name, whatever token it carries: use gRPC clients (etcdctl, the Go client) with that certificate, or present
     * one without a common name, signed by your own CA (`provided`), to the gateway.
     */
    clientCertAuth?: boolean;
    /** `ETCD_PEER_CLIENT_CERT_AUTH`: peers must present a certificate signed by the CA. Default true with TLS. */
    peerClientCertAuth?: boolean;
    /** `auto` only: validity of the CA and every certificate, in hours, 1–876000. Default 87600 (10 years). */
    validityHours?: number;
    /** Your certificates; required with `mode: "provided"`, refused otherwise. */
    provided?: ProvidedTlsArgs;
}

/** PEM material for `tls.mode: "provided"`. Pass keys as secrets (`pulumi.secret` or `config.requireSecret`). */
export interface ProvidedTlsArgs {
    /** PEM CA certificate that signed every certificate below (members trust clients and peers signed by it). */
    ca: pulumi.Input<string>;
    /**
     * Per member name: its certificate and key, used as both server and peer certificate. The certificate must
     * allow server and client authentication (extended key usages serverAuth and clientAuth) and its SANs must
     * cover the member's address (and DNS name and SRV domain with DNS bootstrap) and 127.0.0.1.
     */
    members: Record<string, { cert: pulumi.Input<string>; key: pulumi.Input<string> }>;
    /**
     * A client certificate and key (clientAuth) for the health check and the auth command. Its common name should
     * not be an etcd user (with auth on, the CN would log in as that user).
     */
    client: { cert: pulumi.Input<string>; key: pulumi.Input<string> };
}

/** Authentication settings. */
export interface AuthArgs {
    /** Create the root user and enable authentication. Default false. */
    enabled?: boolean;
    /**
     * The root password (pass it as a secret). Default: generated with `random.RandomPassword` (32 letters and
     * digits, kept in state) and exported as the secret output `rootPassword`. No whitespace (etcdctl reads it
     * from stdin up to the first blank). Changing it after auth is enabled is not supported: the auth command
     * then fails, saying root's password is refused.
     */
    rootPassword?: pulumi.Input<string>;
}
