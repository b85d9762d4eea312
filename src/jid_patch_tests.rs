//! The patched `jid` crate (vendor/jid) takes ASCII fast paths around stringprep and IDNA.
//! These tests check, over generated ASCII JIDs, that the fast paths accept exactly what the
//! full algorithms accept and normalize to the same text.

use idna::uts46::{AsciiDenyList, DnsLength, Hyphens, Uts46};
use jid::{BareJid, FullJid};
use proptest::prelude::*;

/// What jid 0.12.3 made of a localpart (before rosterm's patch, for ASCII input).
fn reference_node(node: &str) -> Option<String> {
    let prepped = stringprep::nodeprep(node).ok()?;
    (!prepped.is_empty() && prepped.len() <= 1023).then(|| prepped.into_owned())
}

fn reference_domain(domain: &str) -> Option<String> {
    let domain = domain.strip_suffix('.').unwrap_or(domain);
    if domain.parse::<std::net::Ipv4Addr>().is_ok() {
        return Some(domain.to_owned());
    }
    Uts46::new()
        .to_ascii(
            domain.as_bytes(),
            AsciiDenyList::URL,
            Hyphens::Check,
            DnsLength::Verify,
        )
        .ok()?;
    stringprep::nameprep(domain).ok().map(|d| d.into_owned())
}

fn reference_resource(resource: &str) -> Option<String> {
    let prepped = stringprep::resourceprep(resource).ok()?;
    (!prepped.is_empty() && prepped.len() <= 1023).then(|| prepped.into_owned())
}

fn node_strategy() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-z0-9._-]{1,12}",
        "[ -~]{0,12}",
        "[a-zA-Z0-9\"&'/:<>@ ]{1,8}",
    ]
}

fn domain_strategy() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-z0-9]{1,10}(\\.[a-z0-9-]{1,10}){0,3}",
        "[a-zA-Z0-9._-]{0,20}",
        "(xn--)?[a-z0-9-]{0,8}\\.[a-z]{2,3}",
        "[a-z0-9-]{1,6}\\.[a-z0-9-]{1,6}",
        "[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 5000, ..ProptestConfig::default() })]

    #[test]
    fn ascii_fast_paths_agree_with_stringprep_and_idna(
        node in node_strategy(),
        domain in domain_strategy(),
        resource in "[ -~]{0,12}",
    ) {
        // jid keeps a trailing root dot as written when nothing else changes (upstream
        // behaviour, the same on both paths); the reference here would not.
        prop_assume!(!domain.ends_with('.'));
        let bare = format!("{node}@{domain}");
        let expected = match (reference_node(&node), reference_domain(&domain)) {
            (Some(n), Some(d)) => Some(format!("{n}@{d}")),
            _ => None,
        };
        let got = BareJid::new(&bare).ok().map(|j| j.to_string());
        // The patch also keeps, as written, localparts stringprep refuses for unassigned
        // code points; in ASCII nothing is unassigned, so the two must agree exactly.
        prop_assert_eq!(got, expected, "{}", bare);

        let full = format!("{node}@{domain}/{resource}");
        let expected = match (reference_node(&node), reference_domain(&domain), reference_resource(&resource)) {
            (Some(n), Some(d), Some(r)) if !domain.contains('/') => Some(format!("{n}@{d}/{r}")),
            _ => None,
        };
        if !node.contains('/') && !domain.contains('/') && !node.contains('@') && !domain.contains('@') {
            prop_assert_eq!(FullJid::new(&full).ok().map(|j| j.to_string()), expected, "{}", full);
        }
    }
}

#[test]
fn fast_paths_keep_the_usual_answers() {
    assert_eq!(
        BareJid::new("Alice@Example.COM").unwrap().as_str(),
        "alice@example.com"
    );
    assert_eq!(
        BareJid::new("c123@bots.localhost").unwrap().as_str(),
        "c123@bots.localhost"
    );
    assert!(BareJid::new("a@-bad.example").is_err());
    assert!(BareJid::new("a b@example.org").is_err());
    assert_eq!(
        FullJid::new("a@b.example/laptop 2")
            .unwrap()
            .resource()
            .as_str(),
        "laptop 2"
    );
    assert!(FullJid::new("a@b.example/").is_err());
}
