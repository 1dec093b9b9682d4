//! The service labels Interlock reads on an application (`com.docker.lb.*`, documented in
//! UCP's "Service labels reference"), and UCP's collection label.

pub const HOSTS: &str = "com.docker.lb.hosts";
pub const PORT: &str = "com.docker.lb.port";
pub const NETWORK: &str = "com.docker.lb.network";
pub const SERVICE_CLUSTER: &str = "com.docker.lb.service_cluster";
pub const CONTEXT_ROOT: &str = "com.docker.lb.context_root";
pub const CONTEXT_ROOT_REWRITE: &str = "com.docker.lb.context_root_rewrite";
pub const SSL_CERT: &str = "com.docker.lb.ssl_cert";
pub const SSL_KEY: &str = "com.docker.lb.ssl_key";
pub const SSL_PASSTHROUGH: &str = "com.docker.lb.ssl_passthrough";
pub const BACKEND_MODE: &str = "com.docker.lb.backend_mode";
/// The UCP collection an object belongs to (`/dev`).
pub const COLLECTION: &str = "com.docker.ucp.access.label";
