//! Which SCRAM channel binding to use (RFC 5802 §6), from what the server advertises.

use sasl::common::ChannelBinding;
use xmpp_parsers::sasl_cb::Type;
use xmpp_parsers::stream_features::StreamFeatures;

/// The channel binding for SCRAM, given what the TLS session can provide (rosterm only ever
/// has `tls-exporter` data, TLS 1.3, RFC 9266) and the server's stream features:
///
/// - The server lists `tls-exporter` (XEP-0440): bind to it (SCRAM-*-PLUS, `p=tls-exporter`).
/// - It offers a SCRAM-*-PLUS mechanism without listing `tls-exporter`: it binds to a type
///   rosterm cannot produce. ejabberd 23.01 offers SCRAM-SHA-1-PLUS (no XEP-0440) and refuses
///   `p=tls-exporter` with `not-authorized` ("Invalid channel binding"), which rosterm would
///   report as a wrong password. Plain SCRAM without binding (`n`).
/// - It offers no -PLUS mechanism: plain SCRAM with `y` (the client could bind, the server
///   can't), so a server that does support binding detects a stripped -PLUS offer.
/// - No exporter data (TLS 1.2): no binding (`n`).
pub fn choose(tls: ChannelBinding, features: &StreamFeatures) -> ChannelBinding {
    let ChannelBinding::TlsExporter(data) = tls else {
        return ChannelBinding::None;
    };
    let exporter_listed = features
        .sasl_cb
        .as_ref()
        .is_some_and(|cb| cb.types.contains(&Type::TlsExporter));
    let plus_offered = features
        .sasl_mechanisms
        .iter()
        .any(|m| m.starts_with("SCRAM-") && m.ends_with("-PLUS"));
    if exporter_listed {
        ChannelBinding::TlsExporter(data)
    } else if plus_offered {
        ChannelBinding::None
    } else {
        ChannelBinding::Unsupported
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sasl::client::mechanisms::Scram;
    use sasl::client::Mechanism;
    use sasl::common::scram::Sha1;
    use sasl::common::Credentials;
    use xmpp_parsers::minidom::Element;

    fn features(xml: &str) -> StreamFeatures {
        let el: Element = xml.parse().expect("test XML");
        StreamFeatures::try_from(el).expect("stream features")
    }

    /// What tokio-xmpp's SCRAM-SHA-1 would put on the wire: the mechanism name it looks for
    /// in the offer and the GS2 header of its first message.
    fn scram_sha1(binding: ChannelBinding) -> (String, String) {
        let creds = Credentials::default()
            .with_username("alice")
            .with_password("pw")
            .with_channel_binding(binding);
        let mut scram = Scram::<Sha1>::from_credentials(creds).expect("SCRAM from credentials");
        let first = String::from_utf8(scram.initial()).expect("ASCII");
        let gs2 = first.split("n=alice").next().unwrap_or_default().to_owned();
        (scram.name().to_owned(), gs2)
    }

    const EJABBERD_23_01: &str =
        "<stream:features xmlns:stream='http://etherx.jabber.org/streams'>\
        <mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><mechanism>PLAIN</mechanism>\
        <mechanism>SCRAM-SHA-1-PLUS</mechanism><mechanism>SCRAM-SHA-1</mechanism>\
        <mechanism>X-OAUTH2</mechanism></mechanisms></stream:features>";

    #[test]
    fn plus_without_tls_exporter_listed_is_not_bound() {
        // ejabberd 23.01's offer, verbatim: p=tls-exporter there is "Invalid channel binding".
        let chosen = choose(
            ChannelBinding::TlsExporter(vec![1; 32]),
            &features(EJABBERD_23_01),
        );
        assert_eq!(
            scram_sha1(chosen),
            ("SCRAM-SHA-1".to_owned(), "n,,".to_owned())
        );
    }

    #[test]
    fn tls_exporter_is_used_when_the_server_lists_it() {
        let offer = "<stream:features xmlns:stream='http://etherx.jabber.org/streams'>\
            <mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>\
            <mechanism>SCRAM-SHA-1-PLUS</mechanism><mechanism>SCRAM-SHA-1</mechanism></mechanisms>\
            <sasl-channel-binding xmlns='urn:xmpp:sasl-cb:0'>\
            <channel-binding type='tls-server-end-point'/><channel-binding type='tls-exporter'/>\
            </sasl-channel-binding></stream:features>";
        let chosen = choose(ChannelBinding::TlsExporter(vec![1; 32]), &features(offer));
        assert_eq!(
            scram_sha1(chosen),
            ("SCRAM-SHA-1-PLUS".to_owned(), "p=tls-exporter,,".to_owned())
        );
    }

    #[test]
    fn no_plus_offered_says_the_client_could_bind() {
        // Prosody 0.12 over TLS 1.3.
        let offer = "<stream:features xmlns:stream='http://etherx.jabber.org/streams'>\
            <mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><mechanism>PLAIN</mechanism>\
            <mechanism>SCRAM-SHA-1</mechanism></mechanisms></stream:features>";
        let chosen = choose(ChannelBinding::TlsExporter(vec![1; 32]), &features(offer));
        assert_eq!(
            scram_sha1(chosen),
            ("SCRAM-SHA-1".to_owned(), "y,,".to_owned())
        );
    }

    #[test]
    fn without_exporter_data_nothing_is_bound() {
        let chosen = choose(ChannelBinding::None, &features(EJABBERD_23_01));
        assert_eq!(
            scram_sha1(chosen),
            ("SCRAM-SHA-1".to_owned(), "n,,".to_owned())
        );
    }
}
