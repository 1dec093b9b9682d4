//! The TLS client configuration: only the bundle's CA is trusted for the server, the server's
//! name is verified, and the client certificate is checked locally first so that an expired or
//! mismatched bundle is named as such instead of as an opaque handshake failure.

use std::sync::Arc;

use rustls::ClientConfig;
use rustls::crypto::CryptoProvider;
use rustls::sign::CertifiedKey;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};

use super::endpoint::TlsMaterial;
use super::error::ConnectError;

fn bad(what: &str, m: &TlsMaterial, why: impl Into<String>) -> ConnectError {
    ConnectError::BadPem {
        what: what.into(),
        origin: m.origin.clone(),
        why: why.into(),
    }
}

/// Checks the client certificate's validity period against the clock.
fn check_validity(der: &CertificateDer<'_>, m: &TlsMaterial) -> Result<(), ConnectError> {
    let (_, cert) = x509_parser::parse_x509_certificate(der.as_ref()).map_err(|e| {
        bad(
            "client certificate (cert.pem)",
            m,
            format!("not an X.509 certificate: {e}"),
        )
    })?;
    let validity = cert.validity();
    let now = x509_parser::time::ASN1Time::now();
    if validity.not_after < now {
        return Err(ConnectError::ClientCertExpired {
            origin: m.origin.clone(),
            not_after: validity.not_after.to_string(),
        });
    }
    if validity.not_before > now {
        return Err(ConnectError::ClientCertNotYetValid {
            origin: m.origin.clone(),
            not_before: validity.not_before.to_string(),
        });
    }
    Ok(())
}

pub fn client_config(m: &TlsMaterial) -> Result<ClientConfig, ConnectError> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());

    let mut roots = rustls::RootCertStore::empty();
    let cas: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(&m.ca)
        .collect::<Result<_, _>>()
        .map_err(|e| bad("CA certificate (ca.pem)", m, format!("{e:?}")))?;
    if cas.is_empty() {
        return Err(bad("CA certificate (ca.pem)", m, "it holds no certificate"));
    }
    let (added, _) = roots.add_parsable_certificates(cas);
    if added == 0 {
        return Err(bad(
            "CA certificate (ca.pem)",
            m,
            "no usable certificate in it",
        ));
    }

    let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(&m.cert)
        .collect::<Result<_, _>>()
        .map_err(|e| bad("client certificate (cert.pem)", m, format!("{e:?}")))?;
    let Some(leaf) = chain.first() else {
        return Err(bad(
            "client certificate (cert.pem)",
            m,
            "it holds no certificate",
        ));
    };
    check_validity(leaf, m)?;

    let key = PrivateKeyDer::from_pem_slice(&m.key).map_err(|e| {
        let why = if String::from_utf8_lossy(&m.key).contains("ENCRYPTED") {
            "the key is encrypted".to_string()
        } else {
            format!("no private key in it ({e:?})")
        };
        bad("private key (key.pem)", m, why)
    })?;
    let signing = provider
        .key_provider
        .load_private_key(key.clone_key())
        .map_err(|e| bad("private key (key.pem)", m, e.to_string()))?;
    if let Err(rustls::Error::InconsistentKeys(rustls::InconsistentKeys::KeyMismatch)) =
        CertifiedKey::new(chain.clone(), signing).keys_match()
    {
        return Err(ConnectError::KeyMismatch {
            origin: m.origin.clone(),
        });
    }

    let builder = ClientConfig::builder_with_provider(Arc::clone(&provider) as Arc<CryptoProvider>)
        .with_safe_default_protocol_versions()
        .map_err(|e| bad("TLS settings", m, e.to_string()))?;
    builder
        .with_root_certificates(roots)
        .with_client_auth_cert(chain, key)
        .map_err(|e| bad("client certificate (cert.pem)", m, e.to_string()))
}

/// The subject of a PEM client certificate, for the audit trail: its common name (UCP puts the
/// user's name there), else the whole subject.
pub fn subject(cert_pem: &[u8]) -> Option<String> {
    let der = CertificateDer::pem_slice_iter(cert_pem).next()?.ok()?;
    let (_, cert) = x509_parser::parse_x509_certificate(der.as_ref()).ok()?;
    let subject = cert.subject();
    let cn = subject
        .iter_common_name()
        .next()
        .and_then(|cn| cn.as_str().ok())
        .map(String::from);
    cn.or_else(|| Some(subject.to_string()).filter(|s| !s.is_empty()))
}
