//! A failed call, read from bollard's error: the engine's answer, or the network or TLS cause
//! found in the error's chain.

use std::error::Error as StdError;

use rustls::{AlertDescription, CertificateError};

use super::api::ApiError;
use super::transport::TransportError;

/// Finds the TLS or I/O cause inside a transport error.
pub fn classify(
    err: &bollard::errors::Error,
    call: &str,
    address: &str,
    origin: &str,
    secs: u64,
) -> ApiError {
    use bollard::errors::Error as B;
    match err {
        B::DockerResponseServerError {
            status_code,
            message,
        } => return ApiError::from_answer(call, *status_code, message),
        B::RequestTimeoutError => {
            return TransportError::TimedOut {
                address: address.into(),
                call: call.into(),
                secs,
            }
            .into();
        }
        _ => {}
    }
    // A TLS alert can sit below an "incomplete message" from hyper: the TLS cause wins.
    if let Some(t) = tls_in_chain(err) {
        return tls_error(t, address, origin).into();
    }
    if let B::HyperLegacyError { err: e } = err
        && e.is_connect()
        && let Some(c) = handshake_cut(e, address)
    {
        return c.into();
    }
    cut_short(err, call, address, secs)
        .unwrap_or_else(|| TransportError::Other {
            call: call.into(),
            message: chain(err),
        })
        .into()
}

/// A request left without an answer, as the error's chain says: the connection dropped or reset,
/// or, over HTTP/2, the request's stream reset or the connection ended with GOAWAY. HTTP/2 says
/// the same as an HTTP/1.1 connection cut mid-request, and is classified the same.
fn cut_short(
    err: &(dyn StdError + 'static),
    call: &str,
    address: &str,
    secs: u64,
) -> Option<TransportError> {
    let dropped = || TransportError::Dropped {
        address: address.into(),
        call: call.into(),
    };
    let mut source = Some(err);
    while let Some(e) = source {
        if let Some(h) = e.downcast_ref::<hyper::Error>()
            && (h.is_incomplete_message() || h.is_canceled())
        {
            return Some(dropped());
        }
        // RST_STREAM or GOAWAY (a reason code); h2's own I/O errors are io::Errors in hyper.
        if e.downcast_ref::<h2::Error>()
            .is_some_and(|h| h.reason().is_some())
        {
            return Some(dropped());
        }
        if let Some(io) = e.downcast_ref::<std::io::Error>()
            && let Some(c) = io_error(io.kind(), call, address, secs)
        {
            return Some(c);
        }
        source = e.source();
    }
    None
}

/// A connection cut while it was being set up. Opening a TCP connection reads nothing, so an
/// end of stream (or a reset) here came during the TLS handshake.
fn handshake_cut(err: &hyper_util::client::legacy::Error, address: &str) -> Option<TransportError> {
    use std::io::ErrorKind as K;
    let mut source = err.source();
    while let Some(e) = source {
        if let Some(io) = e.downcast_ref::<std::io::Error>()
            && matches!(innermost(io).kind(), K::UnexpectedEof | K::ConnectionReset)
            && rustls_in(io).is_none()
        {
            return Some(TransportError::HandshakeClosed {
                address: address.into(),
            });
        }
        source = e.source();
    }
    None
}

/// The I/O error inside (possibly nested) I/O errors: hyper-rustls wraps the handshake's own.
fn innermost(io: &std::io::Error) -> &std::io::Error {
    match io
        .get_ref()
        .and_then(|e| e.downcast_ref::<std::io::Error>())
    {
        Some(inner) => innermost(inner),
        None => io,
    }
}

/// What an I/O failure says about the connection, when it says something.
fn io_error(
    kind: std::io::ErrorKind,
    call: &str,
    address: &str,
    secs: u64,
) -> Option<TransportError> {
    use std::io::ErrorKind as K;
    let address = address.to_string();
    Some(match kind {
        K::ConnectionRefused => TransportError::Refused { address },
        K::NotFound => TransportError::NoSocket { address },
        K::PermissionDenied => TransportError::SocketPermission { address },
        K::TimedOut => TransportError::TimedOut {
            address,
            call: call.into(),
            secs,
        },
        K::ConnectionReset | K::ConnectionAborted | K::BrokenPipe | K::UnexpectedEof => {
            TransportError::Dropped {
                address,
                call: call.into(),
            }
        }
        _ => return None,
    })
}

/// The first TLS error anywhere in the chain, nested I/O errors included.
fn tls_in_chain<'a>(err: &'a (dyn StdError + 'static)) -> Option<&'a rustls::Error> {
    let mut source: Option<&(dyn StdError + 'static)> = Some(err);
    while let Some(e) = source {
        if let Some(t) = e.downcast_ref::<rustls::Error>() {
            return Some(t);
        }
        if let Some(t) = e.downcast_ref::<std::io::Error>().and_then(rustls_in) {
            return Some(t);
        }
        source = e.source();
    }
    None
}

/// The TLS error inside (possibly nested) I/O errors. `io::Error::source` skips the error it
/// wraps, so the chain alone never reaches it.
fn rustls_in(io: &std::io::Error) -> Option<&rustls::Error> {
    let inner = io.get_ref()?;
    if let Some(t) = inner.downcast_ref::<rustls::Error>() {
        return Some(t);
    }
    inner.downcast_ref::<std::io::Error>().and_then(rustls_in)
}

fn chain(err: &dyn StdError) -> String {
    let mut out = err.to_string();
    let mut s = err.source();
    while let Some(e) = s {
        let t = e.to_string();
        if !out.contains(&t) {
            out.push_str(": ");
            out.push_str(&t);
        }
        s = e.source();
    }
    out
}

fn tls_error(e: &rustls::Error, address: &str, origin: &str) -> TransportError {
    let address = address.to_string();
    match e {
        rustls::Error::InvalidCertificate(c) => match c {
            CertificateError::UnknownIssuer | CertificateError::BadSignature => {
                TransportError::UnknownCa {
                    address,
                    origin: origin.into(),
                }
            }
            CertificateError::Expired | CertificateError::ExpiredContext { .. } => {
                TransportError::ServerCertExpired { address }
            }
            CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. } => {
                TransportError::NameMismatch { address }
            }
            other => TransportError::Tls {
                address,
                why: format!("{other:?}"),
            },
        },
        rustls::Error::AlertReceived(a) => match a {
            AlertDescription::BadCertificate
            | AlertDescription::CertificateExpired
            | AlertDescription::CertificateRevoked
            | AlertDescription::CertificateUnknown
            | AlertDescription::UnknownCA
            | AlertDescription::CertificateRequired
            | AlertDescription::AccessDenied => TransportError::ClientCertRejected {
                address,
                alert: format!("{a:?}"),
            },
            other => TransportError::Tls {
                address,
                why: format!("the server sent {other:?}"),
            },
        },
        rustls::Error::InvalidMessage(m) => TransportError::NotTls {
            address,
            why: format!("{m:?}"),
        },
        other => TransportError::Tls {
            address,
            why: other.to_string(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An error whose cause is `inner`, as hyper's is.
    #[derive(Debug)]
    struct Outer(Box<dyn StdError + Send + Sync>);

    impl std::fmt::Display for Outer {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("http2 error")
        }
    }

    impl StdError for Outer {
        fn source(&self) -> Option<&(dyn StdError + 'static)> {
            Some(self.0.as_ref())
        }
    }

    fn said(inner: impl StdError + Send + Sync + 'static) -> Option<TransportError> {
        cut_short(&Outer(Box::new(inner)), "GET /nodes", "tcp://m:443", 2)
    }

    #[test]
    fn an_http2_stream_reset_is_a_dropped_request() {
        for reason in [
            h2::Reason::INTERNAL_ERROR,
            h2::Reason::CANCEL,
            h2::Reason::REFUSED_STREAM,
        ] {
            let e = said(h2::Error::from(reason));
            assert!(
                matches!(&e, Some(TransportError::Dropped { call, .. }) if call == "GET /nodes"),
                "{reason:?}: {e:?}"
            );
            assert!(e.unwrap().may_have_arrived());
        }
    }

    #[test]
    fn a_reset_connection_is_a_dropped_request_and_other_causes_are_not() {
        let reset = std::io::Error::from(std::io::ErrorKind::ConnectionReset);
        assert!(matches!(said(reset), Some(TransportError::Dropped { .. })));
        assert!(said(std::fmt::Error).is_none());
    }
}
