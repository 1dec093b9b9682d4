//! The certificates of a test front: a CA (the bundle's `ca.pem`), the server's certificate
//! for `localhost` and `127.0.0.1`, and the bundle's client certificate and key, each variant a
//! [`TlsOptions`] flag asks for. The rustls front ([`super::tls`]) and the nghttpx front
//! ([`super::h2front`]) serve the same material.

use rcgen::{
    BasicConstraints, Certificate, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa,
    Issuer, KeyPair, KeyUsagePurpose,
};

use super::keys;
use super::tls::{KeyKind, TlsOptions};

/// A CA: its parameters, key and self-signed certificate.
struct Ca {
    params: CertificateParams,
    key: KeyPair,
    cert: Certificate,
}

impl Ca {
    /// A fresh ECDSA P-256 CA named `name`.
    fn new(name: &str) -> Ca {
        let key = KeyPair::generate().expect("CA key");
        let mut params = CertificateParams::new(Vec::<String>::new()).expect("CA params");
        params.distinguished_name.push(DnType::CommonName, name);
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.key_usages = vec![
            KeyUsagePurpose::KeyCertSign,
            KeyUsagePurpose::CrlSign,
            KeyUsagePurpose::DigitalSignature,
        ];
        let cert = params.self_signed(&key).expect("CA certificate");
        Ca { params, key, cert }
    }

    /// A leaf certificate for `key`, named `cn`, with `sans` and `usage`; `expired` makes it
    /// valid only in 2020.
    fn issue(
        &self,
        key: &KeyPair,
        cn: &str,
        sans: &[&str],
        usage: ExtendedKeyUsagePurpose,
        expired: bool,
    ) -> Certificate {
        let sans: Vec<String> = sans.iter().map(|s| s.to_string()).collect();
        let mut params = CertificateParams::new(sans).expect("leaf params");
        params.distinguished_name.push(DnType::CommonName, cn);
        params.key_usages = vec![
            KeyUsagePurpose::DigitalSignature,
            KeyUsagePurpose::KeyEncipherment,
        ];
        params.extended_key_usages = vec![usage];
        params.use_authority_key_identifier_extension = true;
        if expired {
            params.not_before = rcgen::date_time_ymd(2020, 1, 1);
            params.not_after = rcgen::date_time_ymd(2021, 1, 1);
        }
        let issuer = Issuer::from_params(&self.params, &self.key);
        params.signed_by(key, &issuer).expect("leaf certificate")
    }
}

/// What a front serves and what its bundle holds.
pub struct Material {
    /// The CA the front trusts for clients: the bundle's `ca.pem`.
    pub ca: Certificate,
    pub server_cert: Certificate,
    pub server_key: KeyPair,
    pub client_cert: Certificate,
    /// The bundle's `key.pem`, in the format `opts.client_key` names.
    pub client_key_pem: String,
}

impl Material {
    /// Fresh certificates for `opts`.
    pub fn new(opts: &TlsOptions) -> Material {
        let ca = Ca::new("interlock-split test UCP CA");
        let other_ca = Ca::new("interlock-split test OTHER CA");

        let server_key = KeyPair::generate().expect("server key");
        let server_issuer = if opts.server_cert_from_other_ca {
            &other_ca
        } else {
            &ca
        };
        let server_cert = server_issuer.issue(
            &server_key,
            "ucp.interlock-split.test",
            &["localhost", "127.0.0.1"],
            ExtendedKeyUsagePurpose::ServerAuth,
            false,
        );

        let (client_key, client_key_pem) = match opts.client_key {
            KeyKind::Ec => (
                KeyPair::from_pem(keys::EC_PKCS8).expect("EC test key"),
                keys::EC_SEC1.to_string(),
            ),
            KeyKind::Rsa => (
                KeyPair::from_pem(keys::RSA_PKCS8).expect("RSA test key"),
                keys::RSA_PKCS1.to_string(),
            ),
            KeyKind::Pkcs8 => {
                let key = KeyPair::generate().expect("client key");
                let pem = key.serialize_pem();
                (key, pem)
            }
        };
        let client_issuer = if opts.client_cert_from_other_ca {
            &other_ca
        } else {
            &ca
        };
        let client_cert = client_issuer.issue(
            &client_key,
            "admin",
            &[],
            ExtendedKeyUsagePurpose::ClientAuth,
            opts.expired_client_cert,
        );
        Material {
            ca: ca.cert,
            server_cert,
            server_key,
            client_cert,
            client_key_pem,
        }
    }
}
