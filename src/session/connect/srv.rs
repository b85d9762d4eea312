//! Where to open the TCP connection, resolved by rosterm rather than tokio-xmpp (whose SRV code
//! tries records in answer order, has no time limit per target and treats a "." target as a
//! host name): DNS SRV (RFC 2782, RFC 6120 §3.2) ordered by priority then weighted random
//! choice, a lone "." target meaning "no XMPP service here", no SRV records meaning the domain
//! itself on the default port, and each target given [`TARGET_TIMEOUT`] to accept a TCP
//! connection so that a dead first target leaves time for the next within one attempt.
//! `account.dns_server` points all of it at one resolver instead of the system's.

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use futures::future::select_ok;
use futures::FutureExt;
use hickory_resolver::config::{LookupIpStrategy, NameServerConfig, ResolverConfig, ResolverOpts};
use hickory_resolver::net::runtime::TokioRuntimeProvider;
use hickory_resolver::net::NetError;
use hickory_resolver::proto::rr::{Name, RData};
use hickory_resolver::TokioResolver;
use tokio::net::TcpStream;

/// How long one target (all its addresses at once) gets to accept the TCP connection. A third
/// of [`super::ATTEMPT_TIMEOUT`] or so: a black-holed first target leaves time for the next
/// one's connect, TLS and login.
pub const TARGET_TIMEOUT: Duration = Duration::from_secs(4);

/// Where to connect: an SRV lookup for the JID's domain, or one host (`account.server`, a
/// `see-other-host` redirect, or the domain with an explicit `account.port`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    /// `service.domain` SRV records; without any, `domain:default_port`.
    Srv {
        domain: String,
        /// "_xmpp-client._tcp" (STARTTLS) or "_xmpps-client._tcp" (direct TLS, XEP-0368).
        service: &'static str,
        default_port: u16,
    },
    /// A host name or IP literal and a port, without SRV.
    Host { host: String, port: u16 },
}

/// One SRV answer record (RFC 2782); `target` without its trailing dot, "." for the root.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SrvRecord {
    pub priority: u16,
    pub weight: u16,
    pub port: u16,
    pub target: String,
}

/// What the SRV answer says to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Plan {
    /// Try these `(host, port)` in this order.
    Targets(Vec<(String, u16)>),
    /// The only target is "." (RFC 2782): the service is decidedly not available.
    NoService,
}

/// The plan from the SRV records found (`None` or none: no SRV records, so the domain itself
/// on the default port, RFC 6120 §3.2.1), ordered by [`order`] with `seed`.
pub fn plan(records: Option<Vec<SrvRecord>>, domain: &str, default_port: u16, seed: u64) -> Plan {
    let records = records.unwrap_or_default();
    if records.is_empty() {
        return Plan::Targets(vec![(domain.to_owned(), default_port)]);
    }
    let (dots, usable): (Vec<SrvRecord>, Vec<SrvRecord>) =
        records.into_iter().partition(|r| r.target == ".");
    if usable.is_empty() && !dots.is_empty() {
        return Plan::NoService;
    }
    Plan::Targets(
        order(usable, seed)
            .into_iter()
            .map(|r| (r.target, r.port))
            .collect(),
    )
}

/// RFC 2782 order: lowest priority first; within one priority, repeatedly a weighted random
/// pick among the records left (weight-0 records first in the running sum, so they are rarely
/// picked before a weighted one). Deterministic for a given `seed`.
pub fn order(mut records: Vec<SrvRecord>, seed: u64) -> Vec<SrvRecord> {
    let mut rng = SplitMix(seed);
    records.sort_by_key(|r| (r.priority, r.weight != 0));
    let mut out = Vec::with_capacity(records.len());
    while let Some(first) = records.first() {
        let priority = first.priority;
        let end = records.partition_point(|r| r.priority == priority);
        let mut group: Vec<SrvRecord> = records.drain(..end).collect();
        while !group.is_empty() {
            let sum: u64 = group.iter().map(|r| u64::from(r.weight)).sum();
            let pick = rng.next() % (sum + 1);
            let mut running = 0u64;
            let at = group
                .iter()
                .position(|r| {
                    running += u64::from(r.weight);
                    running >= pick
                })
                .unwrap_or(0);
            out.push(group.remove(at));
        }
    }
    out
}

/// splitmix64: enough randomness for spreading load over SRV targets.
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

/// Why no TCP connection was opened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DialError {
    /// SRV said "." (RFC 2782).
    NoService { domain: String },
    /// Every target was tried; `tried` says what happened to each, `srv` why there was no SRV
    /// answer if the domain itself was tried.
    Unreachable {
        domain: String,
        tried: Vec<String>,
        srv: Option<String>,
    },
    /// A single host (no SRV) could not be reached.
    Host(std::io::ErrorKind, String),
}

impl std::fmt::Display for DialError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DialError::NoService { domain } => write!(
                f,
                "{domain} says it offers no XMPP client service (SRV target \".\"); check account.jid, or set account.server to a host that serves it."
            ),
            DialError::Unreachable { domain, tried, srv } => {
                let why = srv.as_deref().map(|w| format!("{w}; ")).unwrap_or_default();
                write!(f, "Cannot connect to {domain}: {why}tried {}.", tried.join(", "))
            }
            DialError::Host(_, text) => write!(f, "{text}"),
        }
    }
}

/// A configured host (name or address) and port: no SRV lookup.
async fn dial_host(
    host: &str,
    port: u16,
    dns_server: Option<SocketAddr>,
) -> Result<TcpStream, DialError> {
    if let Ok(ip) = host.parse::<IpAddr>() {
        return connect_addrs(&[SocketAddr::new(ip, port)])
            .await
            .map_err(|(kind, what)| DialError::Host(kind, what));
    }
    let resolver = resolver(dns_server).map_err(|e| {
        DialError::Host(std::io::ErrorKind::Other, format!("DNS setup failed: {e}"))
    })?;
    let (stream, outcome) = try_target(&resolver, host, port).await;
    stream.ok_or_else(|| {
        let (kind, text) = outcome;
        DialError::Host(kind, text)
    })
}

/// Resolves `route` with the system's resolver or `dns_server`, and opens a TCP connection to
/// the first target that accepts one within [`TARGET_TIMEOUT`].
pub async fn dial(
    route: &Route,
    dns_server: Option<SocketAddr>,
    seed: u64,
    progress: &super::Progress,
) -> Result<TcpStream, DialError> {
    match route {
        Route::Host { host, port } => dial_host(host, *port, dns_server).await,
        Route::Srv {
            domain,
            service,
            default_port,
        } => {
            if let Ok(ip) = domain.parse::<IpAddr>() {
                let route = Route::Host {
                    host: ip.to_string(),
                    port: *default_port,
                };
                return Box::pin(dial(&route, dns_server, seed, progress)).await;
            }
            let unreachable = |tried: Vec<String>, srv: Option<String>| DialError::Unreachable {
                domain: domain.clone(),
                tried,
                srv,
            };
            let resolver = resolver(dns_server)
                .map_err(|e| unreachable(Vec::new(), Some(format!("DNS setup failed: {e}"))))?;
            let (records, srv_note) = srv_records(&resolver, service, domain).await;
            let targets = match plan(records, domain, *default_port, seed) {
                Plan::NoService => {
                    return Err(DialError::NoService {
                        domain: domain.clone(),
                    })
                }
                Plan::Targets(t) => t,
            };
            let mut tried = Vec::new();
            for (host, port) in targets {
                tracing::debug!(%host, port, "trying SRV target");
                match try_target(&resolver, &host, port).await {
                    (Some(stream), _) => return Ok(stream),
                    (None, (_, why)) => {
                        let target = format!("{host}:{port} ({why})");
                        progress.note_tried(target.clone());
                        tried.push(target);
                    }
                }
            }
            Err(unreachable(tried, srv_note))
        }
    }
}

/// The SRV records for `service.domain`, or `None` and a note on why there are none.
async fn srv_records(
    resolver: &TokioResolver,
    service: &str,
    domain: &str,
) -> (Option<Vec<SrvRecord>>, Option<String>) {
    let name = format!("{service}.{domain}.");
    let lookup = match Name::from_utf8(&name) {
        Ok(n) => resolver.srv_lookup(n).await,
        Err(e) => return (None, Some(format!("{name} is not a DNS name ({e})"))),
    };
    match lookup {
        Ok(lookup) => {
            let records: Vec<SrvRecord> = lookup
                .answers()
                .iter()
                .filter_map(|r| match &r.data {
                    RData::SRV(srv) => Some(SrvRecord {
                        priority: srv.priority,
                        weight: srv.weight,
                        port: srv.port,
                        target: display_name(&srv.target),
                    }),
                    _ => None,
                })
                .collect();
            let note = records
                .is_empty()
                .then(|| format!("no SRV records for {service}.{domain}"));
            (Some(records), note)
        }
        Err(e) if e.is_no_records_found() || e.is_nx_domain() => {
            (None, Some(format!("no SRV records for {service}.{domain}")))
        }
        Err(e) => {
            tracing::info!(error = %e, "SRV lookup failed; trying the domain itself");
            let e = crate::sanitize::sanitize(&e.to_string(), 120);
            (None, Some(format!("SRV lookup failed ({e})")))
        }
    }
}

/// "xmpp.example.org" for `xmpp.example.org.`, "." for the root.
fn display_name(name: &Name) -> String {
    if name.is_root() {
        return ".".into();
    }
    let ascii = name.to_ascii();
    let trimmed = ascii.strip_suffix('.').unwrap_or(&ascii);
    crate::sanitize::sanitize(trimmed, 253)
}

/// One target: its addresses, then a TCP connection to the first of them that accepts within
/// [`TARGET_TIMEOUT`]. Without a stream, what went wrong (for the user's sentence).
async fn try_target(
    resolver: &TokioResolver,
    host: &str,
    port: u16,
) -> (Option<TcpStream>, (std::io::ErrorKind, String)) {
    let addrs: Vec<SocketAddr> = if let Ok(ip) = host.parse::<IpAddr>() {
        vec![SocketAddr::new(ip, port)]
    } else {
        match lookup_addrs(resolver, host).await {
            Ok(ips) => ips
                .into_iter()
                .map(|ip| SocketAddr::new(ip, port))
                .collect(),
            Err(why) => return (None, (std::io::ErrorKind::NotFound, why)),
        }
    };
    match connect_addrs(&addrs).await {
        Ok(stream) => (Some(stream), (std::io::ErrorKind::Other, String::new())),
        Err(e) => (None, e),
    }
}

async fn lookup_addrs(resolver: &TokioResolver, host: &str) -> Result<Vec<IpAddr>, String> {
    let name = Name::from_utf8(format!("{host}.")).map_err(|_| "not a host name".to_owned())?;
    match resolver.lookup_ip(name).await {
        Ok(ips) => {
            let ips: Vec<IpAddr> = ips.iter().collect();
            if ips.is_empty() {
                Err("no address".into())
            } else {
                Ok(ips)
            }
        }
        Err(e) if e.is_no_records_found() || e.is_nx_domain() => Err("no address".into()),
        Err(e) => Err(format!(
            "address lookup failed: {}",
            crate::sanitize::sanitize(&e.to_string(), 120)
        )),
    }
}

/// All addresses at once (the first to accept wins), within [`TARGET_TIMEOUT`].
async fn connect_addrs(addrs: &[SocketAddr]) -> Result<TcpStream, (std::io::ErrorKind, String)> {
    let attempts = addrs.iter().map(|a| TcpStream::connect(*a).boxed());
    match tokio::time::timeout(TARGET_TIMEOUT, select_ok(attempts)).await {
        Ok(Ok((stream, _))) => Ok(stream),
        Ok(Err(e)) => Err((e.kind(), io_reason(&e))),
        Err(_) => Err((std::io::ErrorKind::TimedOut, "timed out".into())),
    }
}

fn io_reason(e: &std::io::Error) -> String {
    use std::io::ErrorKind as K;
    match e.kind() {
        K::ConnectionRefused => "connection refused".into(),
        K::TimedOut => "timed out".into(),
        K::NetworkUnreachable => "network unreachable".into(),
        K::HostUnreachable => "host unreachable".into(),
        _ => crate::sanitize::sanitize(&e.to_string(), 120),
    }
}

/// The system's resolver (/etc/resolv.conf), or only `dns_server` when it is set.
fn resolver(dns_server: Option<SocketAddr>) -> Result<TokioResolver, NetError> {
    let mut builder = match dns_server {
        None => TokioResolver::builder_tokio()?,
        Some(addr) => {
            let mut server = NameServerConfig::udp_and_tcp(addr.ip());
            for connection in &mut server.connections {
                connection.port = addr.port();
            }
            let config = ResolverConfig::from_parts(None, Vec::new(), vec![server]);
            let mut builder =
                TokioResolver::builder_with_config(config, TokioRuntimeProvider::default());
            let mut opts = ResolverOpts::default();
            opts.timeout = Duration::from_secs(2);
            opts.attempts = 2;
            *builder.options_mut() = opts;
            builder
        }
    };
    builder.options_mut().ip_strategy = LookupIpStrategy::Ipv4AndIpv6;
    builder.build()
}

#[cfg(test)]
#[path = "srv_tests.rs"]
mod tests;
