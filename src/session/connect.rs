//! Connecting and logging in, owned by rosterm rather than left to tokio-xmpp's defaults:
//! rosterm's own TLS configuration (system roots plus `ca_file`, certificate fingerprints on
//! failure), its own DNS SRV resolution (`srv`: order, per-target time limit, "." = no
//! service) and a login whose errors are classified as fatal (tell the user, stop) or
//! transient (back off, retry).

use std::borrow::Cow;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use jid::{BareJid, Jid};
use sasl::common::{ChannelBinding, Credentials};
use tokio::io::BufStream;
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;
use tokio_xmpp::connect::{ServerConnector, ServerConnectorError};
use tokio_xmpp::error::ProtocolError;
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
use crate::session::sieve::{FastLane, SieveNotes};
use crate::session::watch::{StreamErrorWatch, Watched};

mod binding;
mod classify;
mod redirect;
pub mod srv;
pub use classify::{classify, stalled, stream_error_failure};
pub use redirect::other_host;
use srv::{DialError, Route};

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

/// How far a connection attempt got: where a server that stalls stopped answering.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Stage {
    /// Resolving and opening the TCP connection.
    #[default]
    Connecting,
    /// Connected; waiting for the server's stream header or features.
    Stream,
    /// In the TLS handshake.
    Tls,
    /// Authenticating and binding.
    Login,
}

/// The [`Stage`] of the attempt in progress, and the SRV targets it gave up on so far, shared
/// with whoever times it out.
#[derive(Debug, Clone, Default)]
pub struct Progress(Arc<Mutex<(Stage, Vec<String>)>>);

impl Progress {
    pub fn get(&self) -> Stage {
        self.0.lock().map(|g| g.0).unwrap_or_default()
    }
    /// "host:port (why)" for each target already given up on in this attempt.
    pub fn tried(&self) -> Vec<String> {
        self.0.lock().map(|g| g.1.clone()).unwrap_or_default()
    }
    /// Sets the stage; [`Stage::Connecting`] starts a new attempt (forgets the targets tried).
    fn set(&self, stage: Stage) {
        if let Ok(mut g) = self.0.lock() {
            g.0 = stage;
            if stage == Stage::Connecting {
                g.1.clear();
            }
        }
    }
    fn note_tried(&self, target: String) {
        if let Ok(mut g) = self.0.lock() {
            g.1.push(target);
        }
    }
}

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
pub fn route(account: &Account) -> Route {
    let domain = account.jid.domain().as_str();
    match (&account.server, account.port) {
        (Some(server), port) => Route::Host {
            host: server.clone(),
            port: port.unwrap_or(default_port(account.tls)),
        },
        (None, Some(port)) => Route::Host {
            host: domain.to_owned(),
            port,
        },
        (None, None) => Route::Srv {
            domain: domain.to_owned(),
            service: match account.tls {
                TlsMode::StartTls => "_xmpp-client._tcp",
                TlsMode::Direct => "_xmpps-client._tcp",
            },
            default_port: default_port(account.tls),
        },
    }
}

fn default_port(mode: TlsMode) -> u16 {
    match mode {
        TlsMode::StartTls => 5222,
        TlsMode::Direct => 5223,
    }
}

/// Errors of rosterm's connector, boxed into `tokio_xmpp::Error::Connection`.
#[derive(Debug, thiserror::Error)]
enum ConnectError {
    #[error("{0}")]
    Tls(#[source] std::io::Error),
    #[error("invalid server name: {0}")]
    Name(String),
    #[error("{0}")]
    Dial(DialError),
}

impl ServerConnectorError for ConnectError {}

#[derive(Debug, Clone)]
pub struct RostermConnector {
    /// Where to connect (SRV for the domain, or one host).
    pub route: Route,
    /// `account.dns_server`: the resolver to ask instead of the system's.
    pub dns_server: Option<SocketAddr>,
    pub mode: TlsMode,
    pub tls: Arc<ClientConfig>,
    /// Notes stream errors in what the server sends (see `watch`).
    pub watch: StreamErrorWatch,
    /// What the sieve took out of or repaired in incoming stanzas (see `sieve`).
    pub sieve_notes: SieveNotes,
    /// Presences the sieve reads itself, for a session that resolves the stubs it gets in
    /// their place (see `sieve::lane`); none: every presence is passed on as it is.
    pub fast_lane: Option<FastLane>,
    /// How far the current attempt got.
    pub progress: Progress,
}

type Tls = Watched<tokio_rustls::client::TlsStream<TcpStream>>;

impl RostermConnector {
    /// The connector for an account: where to connect, how, and whom to trust.
    pub fn for_account(account: &Account) -> Result<(RostermConnector, CertProbe), TlsSetupError> {
        let (tls, probe) = tls_config(account.ca_file.as_deref(), account.cert_fingerprint)?;
        let connector = RostermConnector {
            route: route(account),
            dns_server: account.dns_server,
            mode: account.tls,
            tls,
            watch: StreamErrorWatch::default(),
            sieve_notes: SieveNotes::default(),
            fast_lane: None,
            progress: Progress::default(),
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
        self.progress.set(Stage::Tls);
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
        self.progress.set(Stage::Stream);
        Ok((
            Watched::new(
                tls,
                self.watch.clone(),
                self.sieve_notes.clone(),
                self.fast_lane.clone(),
            ),
            binding,
        ))
    }
}

/// Spreads load over equally weighted SRV targets; differs per attempt.
fn seed() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(42)
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
        self.progress.set(Stage::Connecting);
        let tcp = srv::dial(&self.route, self.dns_server, seed(), &self.progress)
            .await
            .map_err(ConnectError::Dial)?;
        self.progress.set(Stage::Stream);
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
    connector.progress.set(Stage::Login);
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
