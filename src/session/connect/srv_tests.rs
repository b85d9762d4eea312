use super::{order, plan, DialError, Plan, SrvRecord};

fn rec(priority: u16, weight: u16, target: &str) -> SrvRecord {
    SrvRecord {
        priority,
        weight,
        port: 5222,
        target: target.into(),
    }
}

fn targets(records: &[SrvRecord]) -> Vec<&str> {
    records.iter().map(|r| r.target.as_str()).collect()
}

#[test]
fn lower_priority_numbers_come_first_whatever_the_answer_order() {
    let answer = vec![
        rec(30, 5, "c"),
        rec(10, 5, "a1"),
        rec(20, 0, "b"),
        rec(10, 5, "a2"),
    ];
    for seed in 0..200 {
        let ordered = order(answer.clone(), seed);
        let priorities: Vec<u16> = ordered.iter().map(|r| r.priority).collect();
        assert_eq!(priorities, [10, 10, 20, 30], "seed {seed}");
        let mut first_two = targets(&ordered)[..2].to_vec();
        first_two.sort();
        assert_eq!(first_two, ["a1", "a2"], "seed {seed}");
    }
}

#[test]
fn weights_share_out_the_first_place_within_a_priority() {
    let answer = vec![rec(0, 1, "light"), rec(0, 9, "heavy")];
    let heavy_first = (0..1000)
        .filter(|seed| order(answer.clone(), *seed)[0].target == "heavy")
        .count();
    // 9 in 11 expected (picks 0..=10; "light" wins 0 and 1); a fixed seed range, no flakiness.
    assert!((700..=930).contains(&heavy_first), "{heavy_first}");
    // Both orders happen: weights are not priorities.
    assert!(heavy_first < 1000);
}

#[test]
fn a_zero_weight_target_is_rarely_first_but_never_dropped() {
    let answer = vec![rec(5, 0, "zero"), rec(5, 50, "w50"), rec(5, 50, "w50b")];
    let mut zero_first = 0;
    for seed in 0..1000 {
        let ordered = order(answer.clone(), seed);
        let mut names = targets(&ordered);
        zero_first += usize::from(names[0] == "zero");
        names.sort();
        assert_eq!(names, ["w50", "w50b", "zero"], "seed {seed}");
    }
    assert!(zero_first < 50, "{zero_first}");
}

#[test]
fn all_zero_weights_keep_the_answer_order() {
    let answer = vec![rec(1, 0, "x"), rec(1, 0, "y"), rec(1, 0, "z")];
    assert_eq!(targets(&order(answer, 42)), ["x", "y", "z"]);
}

#[test]
fn a_lone_dot_target_means_no_service() {
    assert_eq!(
        plan(Some(vec![rec(0, 0, ".")]), "example.org", 5222, 1),
        Plan::NoService
    );
}

#[test]
fn a_dot_beside_real_targets_is_skipped() {
    assert_eq!(
        plan(
            Some(vec![rec(0, 0, "."), rec(5, 0, "xmpp.example.org")]),
            "example.org",
            5222,
            1
        ),
        Plan::Targets(vec![("xmpp.example.org".into(), 5222)])
    );
}

#[test]
fn no_srv_records_means_the_domain_on_the_default_port() {
    // RFC 6120 §3.2.1: NXDOMAIN, or an answer without SRV records.
    for records in [None, Some(Vec::new())] {
        assert_eq!(
            plan(records.clone(), "example.org", 5222, 7),
            Plan::Targets(vec![("example.org".into(), 5222)])
        );
        assert_eq!(
            plan(records, "example.org", 5223, 7),
            Plan::Targets(vec![("example.org".into(), 5223)])
        );
    }
}

#[test]
fn the_failure_sentence_names_every_target_tried() {
    let err = DialError::Unreachable {
        domain: "example.org".into(),
        tried: vec![
            "xmpp1.example.org:5222 (timed out)".into(),
            "xmpp2.example.org:5222 (connection refused)".into(),
        ],
        srv: None,
    };
    assert_eq!(
        err.to_string(),
        "Cannot connect to example.org: tried xmpp1.example.org:5222 (timed out), xmpp2.example.org:5222 (connection refused)."
    );
    let none = DialError::NoService {
        domain: "example.org".into(),
    };
    assert!(none
        .to_string()
        .starts_with("example.org says it offers no XMPP client service (SRV target \".\")"));
}

#[test]
fn srv_only_without_server_or_port() {
    use super::Route;
    use crate::config::{Account, PasswordSource, Secret, TlsMode};
    use crate::session::connect::route;
    let base = Account {
        jid: jid::BareJid::new("alice@example.org").unwrap(),
        password: PasswordSource::Literal(Secret::new("pw".into())),
        resource: None,
        server: None,
        port: None,
        tls: TlsMode::StartTls,
        ca_file: None,
        cert_fingerprint: None,
        keepalive: 60,
        dns_server: None,
        name: "alice@example.org".into(),
        presence: Default::default(),
    };
    let srv = |service, default_port| Route::Srv {
        domain: "example.org".into(),
        service,
        default_port,
    };
    let host = |host: &str, port| Route::Host {
        host: host.into(),
        port,
    };
    assert_eq!(route(&base), srv("_xmpp-client._tcp", 5222));
    let direct = Account {
        tls: TlsMode::Direct,
        ..base.clone()
    };
    assert_eq!(route(&direct), srv("_xmpps-client._tcp", 5223));
    let port = Account {
        port: Some(5999),
        ..base.clone()
    };
    assert_eq!(route(&port), host("example.org", 5999));
    let server = Account {
        server: Some("xmpp.example.org".into()),
        ..direct
    };
    assert_eq!(route(&server), host("xmpp.example.org", 5223));
}

#[test]
fn no_service_is_fatal_and_unreachable_targets_are_retried() {
    use crate::session::connect::{classify, CertProbe, ConnectError, LoginFailure};
    let account = crate::config::Account {
        jid: jid::BareJid::new("alice@example.org").unwrap(),
        password: crate::config::PasswordSource::Literal(crate::config::Secret::new("pw".into())),
        resource: None,
        server: None,
        port: None,
        tls: crate::config::TlsMode::StartTls,
        ca_file: None,
        cert_fingerprint: None,
        keepalive: 60,
        dns_server: None,
        name: "alice@example.org".into(),
        presence: Default::default(),
    };
    let failure = |d: DialError| {
        let err = tokio_xmpp::Error::Connection(Box::new(ConnectError::Dial(d)));
        classify(&err, &account, &CertProbe::default())
    };
    assert!(matches!(
        failure(DialError::NoService { domain: "example.org".into() }),
        LoginFailure::Fatal(m) if m.starts_with("example.org says it offers no XMPP client service")
    ));
    assert!(matches!(
        failure(DialError::Unreachable {
            domain: "example.org".into(),
            tried: vec!["a.example.org:5222 (timed out)".into()],
            srv: None,
        }),
        LoginFailure::Transient(m) if m == "Cannot connect to example.org: tried a.example.org:5222 (timed out)."
    ));
}
