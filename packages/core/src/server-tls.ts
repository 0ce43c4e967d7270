/**
 * What a transport needs to serve TLS only (`--tls_cert`, `--tls_key`, `--tls_client_ca`),
 * as PEM text already read and checked by the app. Shared by the gRPC and REST transports so
 * one value configures both ports alike.
 */
export interface ServerTls {
  /** The server's certificate chain, PEM. */
  readonly cert: string;
  /** Its private key, PEM. */
  readonly key: string;
  /** PEM CA bundle: when present, clients must present a certificate it signed (mTLS). */
  readonly clientCa?: string;
}
