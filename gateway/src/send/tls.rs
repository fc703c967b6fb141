//! TLS for SMTP submission. With `POSTERN_SUBMISSION_CA` the given PEM
//! certificates are trusted as roots; a certificate that is presented
//! *exactly* as configured is also accepted even when WebPKI path building
//! refuses it (self-signed certificates marked `CA:TRUE`, as test setups
//! generate, fail with `CaUsedAsEndEntity`) — the pin is stronger than a
//! chain anyway. The server name is checked in every case.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use rustls::DigitallySignedStruct;
use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{CryptoProvider, WebPkiSupportedAlgorithms};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, ServerName, UnixTime};

/// Why no TLS client could be configured (the CA file is unreadable or
/// empty, or rustls refused the setup).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct TlsSetupError(String);

fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// The client config for `ca` (PEM path) or the public WebPKI roots,
/// built once per CA file and shared by every submission after that.
pub fn client_config(ca: Option<&str>) -> Result<Arc<rustls::ClientConfig>, TlsSetupError> {
    type Cache = Mutex<HashMap<Option<String>, Arc<rustls::ClientConfig>>>;
    static CONFIGS: OnceLock<Cache> = OnceLock::new();
    let cache = CONFIGS.get_or_init(Cache::default);
    let key = ca.map(str::to_string);
    if let Some(c) = cache.lock().unwrap_or_else(|e| e.into_inner()).get(&key) {
        return Ok(c.clone());
    }
    let config = build_client_config(ca)?;
    cache
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .insert(key, config.clone());
    Ok(config)
}

fn build_client_config(ca: Option<&str>) -> Result<Arc<rustls::ClientConfig>, TlsSetupError> {
    let provider = provider();
    let mut roots = rustls::RootCertStore::empty();
    let mut pinned = Vec::new();
    match ca {
        Some(path) => {
            for cert in CertificateDer::pem_file_iter(path)
                .map_err(|e| TlsSetupError(format!("cannot read {path}: {e}")))?
            {
                let cert = cert.map_err(|e| TlsSetupError(format!("{path}: {e}")))?;
                // A CA:TRUE leaf may not parse as a trust anchor either way;
                // the pin below still covers it.
                let _ = roots.add(cert.clone());
                pinned.push(cert);
            }
            if pinned.is_empty() {
                return Err(TlsSetupError(format!("{path} holds no certificate")));
            }
        }
        None => roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned()),
    }
    let builder = rustls::ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| TlsSetupError(e.to_string()))?;
    let config = if pinned.is_empty() {
        builder.with_root_certificates(roots).with_no_client_auth()
    } else {
        let webpki = if roots.is_empty() {
            None
        } else {
            Some(
                WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider.clone())
                    .build()
                    .map_err(|e| TlsSetupError(e.to_string()))?,
            )
        };
        builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(PinnedOrWebPki {
                webpki,
                pinned,
                algorithms: provider.signature_verification_algorithms,
            }))
            .with_no_client_auth()
    };
    Ok(Arc::new(config))
}

#[derive(Debug)]
struct PinnedOrWebPki {
    webpki: Option<Arc<WebPkiServerVerifier>>,
    pinned: Vec<CertificateDer<'static>>,
    algorithms: WebPkiSupportedAlgorithms,
}

impl ServerCertVerifier for PinnedOrWebPki {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let chain = match &self.webpki {
            Some(v) => {
                v.verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now)
            }
            None => Err(rustls::Error::General("no usable root".into())),
        };
        match chain {
            Ok(ok) => Ok(ok),
            Err(e)
                if self
                    .pinned
                    .iter()
                    .any(|p| p.as_ref() == end_entity.as_ref()) =>
            {
                let cert = webpki::EndEntityCert::try_from(end_entity).map_err(|_| e.clone())?;
                cert.verify_is_valid_for_subject_name(server_name)
                    .map_err(|_| {
                        rustls::Error::InvalidCertificate(rustls::CertificateError::NotValidForName)
                    })?;
                Ok(ServerCertVerified::assertion())
            }
            Err(e) => Err(e),
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
        self.algorithms.supported_schemes()
    }
}
