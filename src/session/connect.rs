//! Connecting and logging in, owned by rosterm rather than left to tokio-xmpp's defaults:
//! rosterm's own TLS configuration (system roots plus `ca_file`, certificate fingerprints on
//! failure) and a login whose errors are classified as fatal (tell the user, stop) or
//! transient (back off, retry).

use std::borrow::Cow;
use std::net::IpAddr;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use jid::{BareJid, Jid};
use sasl::common::{ChannelBinding, Credentials};
use tokio::io::BufStream;
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;
use tokio_xmpp::connect::{DnsConfig, ServerConnector, ServerConnectorError};
use tokio_xmpp::error::{AuthError, ProtocolError};
use tokio_xmpp::rustls::client::danger::{
    HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier,
};
use tokio_xmpp::rustls::client::WebPkiServerVerifier;
use tokio_xmpp::rustls::pki_types::pem::PemObject;
use tokio_xmpp::rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use tokio_xmpp::rustls::{
    self, ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme,
};
use tokio_xmpp::stanzastream::Connection;
use tokio_xmpp::xmlstream::{
    initiate_stream, PendingFeaturesRecv, ReadError, StreamHeader, Timeouts, XmppStreamElement,
};
use xmpp_parsers::{ns, starttls};

use crate::config::{Account, Secret, TlsMode};
use crate::session::watch::{StreamErrorWatch, Watched};

mod binding;

/// Read silence before a keepalive probe (`account.keepalive`), and the time the probe gets
/// to be answered (at most 15 s): a dead connection is noticed within keepalive + 15 s.
pub fn timeouts(keepalive_secs: u64) -> Timeouts {
    Timeouts {
        read_timeout: Duration::from_secs(keepalive_secs),
        response_timeout: Duration::from_secs(keepalive_secs.min(15)),
    }
}

/// Longest a single connect + TLS + login attempt may take.
pub const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(12);

#[derive(Debug, thiserror::Error)]
pub enum TlsSetupError {
    #[error("ca_file {path}: {message}")]
    CaFile { path: String, message: String },
}

/// A login attempt's failure, in one sentence for the user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoginFailure {
    /// Retrying cannot help (wrong password, untrusted certificate, no TLS offered...).
    Fatal(String),
    /// Might work later (server down, network unreachable, timeout).
    Transient(String),
}

impl LoginFailure {
    pub fn message(&self) -> &str {
        match self {
            LoginFailure::Fatal(m) | LoginFailure::Transient(m) => m,
        }
    }
}

/// Builds the rustls configuration: the system's roots, plus `ca_file` if given; with a
/// pinned fingerprint, exactly that certificate is trusted.
pub fn tls_config(
    ca_file: Option<&Path>,
    pin: Option<[u8; 32]>,
) -> Result<(Arc<ClientConfig>, CertProbe), TlsSetupError> {
    let mut roots = RootCertStore::empty();
    roots.add_parsable_certificates(rustls_native_certs::load_native_certs().certs);
    if let Some(path) = ca_file {
        let err = |message: String| TlsSetupError::CaFile {
            path: path.display().to_string(),
            message,
        };
        let bytes = std::fs::read(path).map_err(|e| err(format!("cannot read it: {e}")))?;
        let mut added = 0;
        for cert in CertificateDer::pem_slice_iter(&bytes) {
            let cert = cert.map_err(|e| err(format!("not a PEM certificate file: {e}")))?;
            roots
                .add(cert)
                .map_err(|e| err(format!("certificate rejected as a trust root: {e}")))?;
            added += 1;
        }
        if added == 0 {
            return Err(err(
                "holds no PEM certificate (-----BEGIN CERTIFICATE-----)".into(),
            ));
        }
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let inner = WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider.clone())
        .build()
        .map_err(|e| TlsSetupError::CaFile {
            path: ca_file.map(|p| p.display().to_string()).unwrap_or_default(),
            message: e.to_string(),
        })?;
    let probe = CertProbe::default();
    let verifier = Arc::new(RecordingVerifier {
        inner,
        probe: probe.clone(),
        pin,
    });
    let config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| TlsSetupError::CaFile {
            path: String::new(),
            message: e.to_string(),
        })?
        .dangerous()
        .with_custom_certificate_verifier(verifier)
        .with_no_client_auth();
    Ok((Arc::new(config), probe))
}

/// What was wrong with the last refused certificate: its SHA-256 fingerprint, and whether it
/// was refused for not matching the pinned fingerprint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused {
    pub fingerprint: String,
    pub pin_mismatch: bool,
}

/// Remembers the last certificate that failed verification, so the error can say which
/// certificate was refused.
#[derive(Debug, Clone, Default)]
pub struct CertProbe(Arc<Mutex<Option<Refused>>>);

impl CertProbe {
    pub fn take(&self) -> Option<Refused> {
        self.0.lock().ok().and_then(|mut g| g.take())
    }
    fn set(&self, refused: Refused) {
        if let Ok(mut g) = self.0.lock() {
            *g = Some(refused);
        }
    }
}

fn digest(der: &[u8]) -> [u8; 32] {
    let d = ring::digest::digest(&ring::digest::SHA256, der);
    let mut out = [0u8; 32];
    out.copy_from_slice(d.as_ref());
    out
}

/// "AB:CD:..." as rosterm prints and `cert_fingerprint` accepts.
pub fn fingerprint(der: &[u8]) -> String {
    let hex: Vec<String> = digest(der).iter().map(|b| format!("{b:02X}")).collect();
    hex.join(":")
}

/// Full WebPKI verification (this is not a bypass) that records what failed; with a pin,
/// the certificate must be exactly the pinned one instead.
#[derive(Debug)]
struct RecordingVerifier {
    inner: Arc<WebPkiServerVerifier>,
    probe: CertProbe,
    pin: Option<[u8; 32]>,
}

impl ServerCertVerifier for RecordingVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        if let Some(pin) = self.pin {
            if digest(end_entity.as_ref()) == pin {
                return Ok(ServerCertVerified::assertion());
            }
            self.probe.set(Refused {
                fingerprint: fingerprint(end_entity.as_ref()),
                pin_mismatch: true,
            });
            return Err(rustls::Error::InvalidCertificate(
                rustls::CertificateError::ApplicationVerificationFailure,
            ));
        }
        let result = self.inner.verify_server_cert(
            end_entity,
            intermediates,
            server_name,
            ocsp_response,
            now,
        );
        if result.is_err() {
            self.probe.set(Refused {
                fingerprint: fingerprint(end_entity.as_ref()),
                pin_mismatch: false,
            });
        }
        result
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.inner.supported_verify_schemes()
    }
}

/// Where to connect, from the account: an explicit server/port, else SRV for the domain.
pub fn dns_config(account: &Account) -> DnsConfig {
    let domain = account.jid.domain().as_str();
    let default_port = match account.tls {
        TlsMode::StartTls => 5222,
        TlsMode::Direct => 5223,
    };
    match (&account.server, account.port) {
        (Some(server), port) => {
            let port = port.unwrap_or(default_port);
            match server.parse::<IpAddr>() {
                Ok(IpAddr::V4(ip)) => DnsConfig::addr(&format!("{ip}:{port}")),
                Ok(IpAddr::V6(ip)) => DnsConfig::addr(&format!("[{ip}]:{port}")),
                Err(_) => DnsConfig::no_srv(server, port),
            }
        }
        (None, Some(port)) => DnsConfig::no_srv(domain, port),
        (None, None) => match account.tls {
            TlsMode::StartTls => DnsConfig::srv_default_client(domain),
            TlsMode::Direct => DnsConfig::srv_xmpps(domain),
        },
    }
}

/// Errors of rosterm's connector, boxed into `tokio_xmpp::Error::Connection`.
#[derive(Debug, thiserror::Error)]
enum ConnectError {
    #[error("{0}")]
    Tls(#[source] std::io::Error),
    #[error("invalid server name: {0}")]
    Name(String),
}

impl ServerConnectorError for ConnectError {}

#[derive(Debug, Clone)]
pub struct RostermConnector {
    pub dns: DnsConfig,
    pub mode: TlsMode,
    pub tls: Arc<ClientConfig>,
    /// Notes stream errors in what the server sends (see `watch`).
    pub watch: StreamErrorWatch,
}

type Tls = Watched<tokio_rustls::client::TlsStream<TcpStream>>;

impl RostermConnector {
    /// The connector for an account: where to connect, how, and whom to trust.
    pub fn for_account(account: &Account) -> Result<(RostermConnector, CertProbe), TlsSetupError> {
        let (tls, probe) = tls_config(account.ca_file.as_deref(), account.cert_fingerprint)?;
        let connector = RostermConnector {
            dns: dns_config(account),
            mode: account.tls,
            tls,
            watch: StreamErrorWatch::default(),
        };
        Ok((connector, probe))
    }

    async fn handshake(
        &self,
        tcp: TcpStream,
        domain: &str,
    ) -> Result<(Tls, ChannelBinding), tokio_xmpp::Error> {
        let name = ServerName::try_from(domain.to_owned())
            .map_err(|e| ConnectError::Name(e.to_string()))?;
        let tls = TlsConnector::from(self.tls.clone())
            .connect(name, tcp)
            .await
            .map_err(ConnectError::Tls)?;
        let (_, conn) = tls.get_ref();
        let binding = match conn.protocol_version() {
            Some(rustls::ProtocolVersion::TLSv1_3) => conn
                .export_keying_material(vec![0u8; 32], b"EXPORTER-Channel-Binding", None)
                .map(ChannelBinding::TlsExporter)
                .unwrap_or(ChannelBinding::None),
            _ => ChannelBinding::None,
        };
        Ok((Watched::new(tls, self.watch.clone()), binding))
    }
}

fn header(domain: &str) -> StreamHeader<'_> {
    StreamHeader {
        to: Some(Cow::Borrowed(domain)),
        from: None,
        id: None,
    }
}

impl ServerConnector for RostermConnector {
    type Stream = BufStream<Tls>;

    async fn connect(
        &self,
        jid: &Jid,
        ns: &'static str,
        timeouts: Timeouts,
    ) -> Result<(PendingFeaturesRecv<Self::Stream>, ChannelBinding), tokio_xmpp::Error> {
        let domain = jid.domain().as_str();
        let tcp = self.dns.resolve().await?;
        let (tls, binding) = match self.mode {
            TlsMode::Direct => self.handshake(tcp, domain).await?,
            TlsMode::StartTls => {
                let stream =
                    initiate_stream(BufStream::new(tcp), ns, header(domain), timeouts).await?;
                let (features, mut stream) = stream.recv_features::<XmppStreamElement>().await?;
                if !features.can_starttls() {
                    return Err(ProtocolError::NoTls.into());
                }
                use futures::{SinkExt, StreamExt};
                stream
                    .send(&XmppStreamElement::Starttls(starttls::Nonza::Request(
                        starttls::Request,
                    )))
                    .await?;
                loop {
                    match stream.next().await {
                        Some(Ok(XmppStreamElement::Starttls(starttls::Nonza::Proceed(_)))) => break,
                        Some(Ok(_)) | Some(Err(ReadError::SoftTimeout)) => {}
                        Some(Err(ReadError::HardError(e))) => return Err(e.into()),
                        Some(Err(ReadError::ParseError(e))) => {
                            return Err(
                                std::io::Error::new(std::io::ErrorKind::InvalidData, e).into()
                            )
                        }
                        Some(Err(ReadError::StreamFooterReceived)) | None => {
                            return Err(tokio_xmpp::Error::Disconnected)
                        }
                    }
                }
                let tcp = stream.into_inner().into_inner();
                self.handshake(tcp, domain).await?
            }
        };
        let stream = initiate_stream(BufStream::new(tls), ns, header(domain), timeouts).await?;
        Ok((stream, binding))
    }
}

/// Connects, authenticates and returns a stream ready for resource binding.
pub async fn login(
    connector: &RostermConnector,
    jid: &BareJid,
    resource: Option<&str>,
    password: &Secret,
    timeouts: Timeouts,
) -> Result<Connection, tokio_xmpp::Error> {
    let identity: Jid = match resource {
        Some(r) => Jid::new(&format!("{jid}/{r}"))?,
        None => Jid::from(jid.clone()),
    };
    let username = jid.node().map(|n| n.as_str()).unwrap_or_default();
    let (pending, binding) = connector
        .connect(&identity, ns::JABBER_CLIENT, timeouts)
        .await?;
    let (features, stream) = pending
        .recv_features::<tokio_xmpp::xmlstream::FallibleStreamElement>()
        .await?;
    let creds = Credentials::default()
        .with_username(username)
        .with_password(password.expose())
        .with_channel_binding(binding::choose(binding, &features));
    let stream = tokio_xmpp::client_login(stream, features.sasl_mechanisms, creds).await?;
    let stream = stream.send_header(header(jid.domain().as_str())).await?;
    let (features, stream) = stream.recv_features().await?;
    Ok(Connection {
        stream: stream.box_stream(),
        features,
        identity,
    })
}

/// Turns a login error into one sentence, and says whether retrying can help.
pub fn classify(err: &tokio_xmpp::Error, account: &Account, probe: &CertProbe) -> LoginFailure {
    use tokio_xmpp::Error as E;
    let jid = &account.jid;
    let domain = jid.domain().as_str();
    let server = account.server.as_deref().unwrap_or(domain);
    match err {
        E::Auth(AuthError::Fail(condition)) => LoginFailure::Fatal(format!(
            "Login failed: the server rejected the password for {jid} ({}); check account.password.",
            sasl_condition(condition)
        )),
        E::Auth(AuthError::NoMechanism) => LoginFailure::Fatal(format!(
            "Login failed: {server} offers no login method rosterm supports (SCRAM-SHA-1/256, PLAIN)."
        )),
        E::Auth(e) => LoginFailure::Fatal(format!("Login failed: {e}.")),
        E::Protocol(ProtocolError::NoTls) => LoginFailure::Fatal(format!(
            "{server} does not offer STARTTLS; rosterm never sends a password without TLS (try tls = \"direct\")."
        )),
        E::StreamError(e) => {
            let text = crate::sanitize::sanitize(&e.to_string(), 200);
            let condition = ["host-unknown", "conflict", "policy-violation", "not-authorized"]
                .into_iter()
                .find(|c| text.contains(c));
            match condition {
                Some(c) => stream_error_failure(c, account),
                None => LoginFailure::Transient(format!("The server closed the stream: {text}.")),
            }
        }
        E::Connection(inner) => {
            let inner: &(dyn std::error::Error + 'static) = inner.as_ref();
            match inner.downcast_ref::<ConnectError>() {
                Some(ConnectError::Tls(io)) => tls_failure(io, domain, probe),
                Some(ConnectError::Name(n)) => LoginFailure::Fatal(format!("{n}; check account.jid.")),
                None => LoginFailure::Transient(format!("Cannot connect to {server}: {inner}.")),
            }
        }
        E::Io(io) => LoginFailure::Transient(io_failure(io, server)),
        E::Disconnected => LoginFailure::Transient(format!("{server} closed the connection during login.")),
        other => LoginFailure::Transient(format!("Cannot connect to {server}: {}.", crate::sanitize::sanitize(&other.to_string(), 200))),
    }
}

/// What a stream error condition means for reconnecting: `None` when retrying is fine.
pub fn stream_error_failure(condition: &str, account: &Account) -> LoginFailure {
    let jid = &account.jid;
    let domain = jid.domain().as_str();
    let full = match &account.resource {
        Some(r) => format!("{jid}/{r}"),
        None => jid.to_string(),
    };
    match condition {
        "host-unknown" => LoginFailure::Fatal(format!(
            "The server does not serve the domain {domain} (host-unknown); check account.jid."
        )),
        "conflict" => LoginFailure::Fatal(format!(
            "Another client logged in as {full} and replaced this session (conflict); rosterm stopped reconnecting so the two do not keep kicking each other out. /reconnect takes the session back."
        )),
        "policy-violation" => LoginFailure::Fatal(
            "The server closed the session for a policy violation (policy-violation); rosterm stopped reconnecting. /reconnect tries again.".into(),
        ),
        "not-authorized" => LoginFailure::Fatal(format!(
            "The server no longer accepts this session for {jid} (not-authorized); check account.password."
        )),
        other => LoginFailure::Transient(format!("The server closed the stream ({other}).")),
    }
}

fn tls_failure(io: &std::io::Error, domain: &str, probe: &CertProbe) -> LoginFailure {
    let rustls_err = io.get_ref().and_then(|e| e.downcast_ref::<rustls::Error>());
    match rustls_err {
        Some(rustls::Error::InvalidCertificate(reason)) => match probe.take() {
            Some(Refused {
                fingerprint,
                pin_mismatch: true,
            }) => LoginFailure::Fatal(format!(
                "The server's certificate (SHA-256 {fingerprint}) is not the one pinned in account.cert_fingerprint; refusing to connect to {domain}."
            )),
            refused => LoginFailure::Fatal(format!(
                "The server's certificate{} is not trusted for {domain}: {}. If this is your own server, set account.ca_file to its CA certificate (or pin it with account.cert_fingerprint).",
                refused.map(|r| format!(" (SHA-256 {})", r.fingerprint)).unwrap_or_default(),
                cert_reason(reason)
            )),
        },
        Some(other) => LoginFailure::Fatal(format!("TLS with {domain} failed: {other}.")),
        None => LoginFailure::Transient(format!("TLS with {domain} failed: {io}.")),
    }
}

fn cert_reason(reason: &rustls::CertificateError) -> String {
    use rustls::CertificateError as C;
    match reason {
        C::UnknownIssuer => "it is signed by an unknown authority (self-signed?)".into(),
        C::NotValidForName | C::NotValidForNameContext { .. } => {
            "it is issued for a different name".into()
        }
        C::Expired | C::ExpiredContext { .. } => "it has expired".into(),
        C::NotValidYet | C::NotValidYetContext { .. } => "it is not valid yet".into(),
        C::Revoked => "it has been revoked".into(),
        other => {
            // Keep the variant's name only (the rest is OIDs and byte arrays).
            let debug = format!("{other:?}");
            let name = debug.split(['{', '(', ' ']).next().unwrap_or("unknown");
            format!("it does not chain to a trusted authority ({name})")
        }
    }
}

fn io_failure(io: &std::io::Error, server: &str) -> String {
    use std::io::ErrorKind as K;
    match io.kind() {
        K::ConnectionRefused => format!("Cannot connect to {server}: connection refused (is the server running, and the port right?)."),
        K::TimedOut => format!("Cannot connect to {server}: timed out."),
        K::ConnectionReset | K::ConnectionAborted | K::UnexpectedEof => {
            format!("{server} closed the connection during login.")
        }
        _ => format!("Cannot connect to {server}: {}.", crate::sanitize::sanitize(&io.to_string(), 200)),
    }
}

fn sasl_condition(c: &xmpp_parsers::sasl::DefinedCondition) -> &'static str {
    use xmpp_parsers::sasl::DefinedCondition as D;
    match c {
        D::NotAuthorized => "not-authorized: wrong password or unknown account",
        D::AccountDisabled => "account-disabled",
        D::CredentialsExpired => "credentials-expired",
        D::EncryptionRequired => "encryption-required",
        D::InvalidAuthzid => "invalid-authzid",
        D::InvalidMechanism => "invalid-mechanism",
        D::MalformedRequest => "malformed-request",
        D::MechanismTooWeak => "mechanism-too-weak",
        D::TemporaryAuthFailure => "temporary-auth-failure",
        D::Aborted => "aborted",
        D::IncorrectEncoding => "incorrect-encoding",
    }
}
