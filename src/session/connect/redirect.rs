//! `<see-other-host/>` (RFC 6120 §4.9.3.19): the server names another host to connect to.
//! rosterm follows it once per reconnect cycle, to the same policies: same TLS mode, same
//! `to` address, and the certificate still verified for the account's domain.

use xmpp_parsers::stream_error::DefinedCondition;

use super::{default_port, RostermConnector, Route};

/// The host a `<see-other-host/>` stream error names, if `err` is one.
pub fn other_host(err: &tokio_xmpp::Error) -> Option<String> {
    let tokio_xmpp::Error::StreamError(e) = err else {
        return None;
    };
    match &e.0.condition {
        DefinedCondition::SeeOtherHost(host) => Some(host.trim().to_owned()),
        _ => None,
    }
}

impl RostermConnector {
    /// This connector aimed at `host` ("name", "name:port", "1.2.3.4:port", "[v6]:port"),
    /// or `None` if that is not a host name with an optional port.
    pub fn redirected(&self, host: &str) -> Option<RostermConnector> {
        let (name, port) = split_host_port(host, default_port(self.mode))?;
        Some(RostermConnector {
            route: Route::Host {
                host: name.to_owned(),
                port,
            },
            ..self.clone()
        })
    }
}

fn split_host_port(host: &str, default_port: u16) -> Option<(&str, u16)> {
    let (name, port) = if let Some(rest) = host.strip_prefix('[') {
        let (ip, after) = rest.split_once(']')?;
        match after.strip_prefix(':') {
            Some(port) => (ip, port.parse().ok()?),
            None if after.is_empty() => (ip, default_port),
            None => return None,
        }
    } else {
        match host.rsplit_once(':') {
            Some((name, port)) if !name.contains(':') => (name, port.parse().ok()?),
            _ => (host, default_port),
        }
    };
    let plausible = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':');
    (!name.is_empty() && name.len() <= 253 && name.chars().all(plausible) && port != 0)
        .then_some((name, port))
}

#[cfg(test)]
mod tests {
    use super::split_host_port;

    #[test]
    fn host_and_port_forms() {
        assert_eq!(
            split_host_port("xmpp.example.org", 5222),
            Some(("xmpp.example.org", 5222))
        );
        assert_eq!(
            split_host_port("127.0.0.1:5333", 5222),
            Some(("127.0.0.1", 5333))
        );
        assert_eq!(split_host_port("[::1]:5333", 5222), Some(("::1", 5333)));
        assert_eq!(split_host_port("::1", 5222), Some(("::1", 5222)));
        for bad in ["", "a b", "host:port", "host:0", "[::1]x", "evil\u{1b}[2J"] {
            assert_eq!(split_host_port(bad, 5222), None, "{bad:?}");
        }
    }
}
