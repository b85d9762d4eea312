//! Several accounts (`[[account]]`), per-account presence, `[roster]`, and errors that name
//! the table and key of every mistake.

use super::*;
use crate::domain::Show;

const TWO: &str = r#"
[[account]]
jid = "alice@work.example"
password_command = "pass show work"
resource = "laptop"
name = "work"
presence = { show = "dnd", status = "at work" }

[[account]]
jid = "alice@example.org"
password = "pw"
"#;

fn ok(text: &str) -> Config {
    parse(Path::new("/etc/rosterm/c.toml"), text).unwrap_or_else(|e| panic!("{text}\n{e}"))
}

/// The message for `text`, which must be rejected, on one line.
fn err(text: &str) -> String {
    let message = parse(Path::new("/tmp/c.toml"), text)
        .expect_err("must be rejected")
        .to_string();
    assert!(!message.contains('\n'), "one line: {message:?}");
    assert!(message.starts_with("/tmp/c.toml: "), "{message}");
    message
}

fn assert_has(message: &str, needles: &[&str]) {
    for needle in needles {
        assert!(message.contains(needle), "{message:?} lacks {needle:?}");
    }
}

/// `TWO` with `extra` appended to the second account's table.
fn two_with(extra: &str) -> String {
    format!("{TWO}{extra}\n")
}

#[test]
fn two_accounts_parse_in_order_with_names_and_defaults() {
    let c = ok(TWO);
    assert_eq!(c.accounts.len(), 2);
    let (work, home) = (&c.accounts[0], &c.accounts[1]);
    assert_eq!(work.name, "work");
    assert_eq!(work.jid.as_str(), "alice@work.example");
    assert_eq!(
        work.password,
        PasswordSource::Command("pass show work".into())
    );
    assert_eq!(work.resource.as_deref(), Some("laptop"));
    assert_eq!(
        home.name, "alice@example.org",
        "the default name is the JID"
    );
    assert_eq!(home.resource, None);
    assert_eq!(home.tls, TlsMode::StartTls);
    assert_eq!(home.keepalive, DEFAULT_KEEPALIVE);
    assert_eq!(home.presence, PresenceOverride::default());
    assert_eq!(c.account_display, AccountDisplay::Tag);
}

#[test]
fn a_single_account_table_is_one_account_named_after_its_jid() {
    let c = ok("[account]\njid = \"alice@example.org\"\npassword = \"pw\"\n");
    assert_eq!(c.accounts.len(), 1);
    assert_eq!(c.accounts[0].name, "alice@example.org");
    let c = ok("[[account]]\njid = \"alice@example.org\"\npassword = \"pw\"\nname = \"me\"\n");
    assert_eq!(c.accounts[0].name, "me");
}

#[test]
fn per_account_presence_overrides_the_global_one() {
    let c = ok(&format!(
        "{TWO}[account.presence]\npriority = -1\nnick = \"Ally\"\n\n[presence]\nshow = \"away\"\nstatus = \"out\"\npriority = 5\nnick = \"Alice\"\n"
    ));
    let (work, home) = (&c.accounts[0], &c.accounts[1]);
    assert_eq!(
        c.presence_for(work),
        OwnPresence {
            show: Show::Dnd,
            status: "at work".into(),
            priority: 5
        }
    );
    assert_eq!(
        c.presence_for(home),
        OwnPresence {
            show: Show::Away,
            status: "out".into(),
            priority: -1
        }
    );
    assert_eq!(
        c.nick_for(work).as_deref(),
        Some("Alice"),
        "the global nick"
    );
    assert_eq!(c.nick_for(home).as_deref(), Some("Ally"));
    assert_eq!(
        c.presence,
        OwnPresence {
            show: Show::Away,
            status: "out".into(),
            priority: 5
        }
    );
}

#[test]
fn an_empty_nick_override_means_no_nick_for_that_account() {
    let c = ok(&format!(
        "{TWO}presence = {{ nick = \"\" }}\n[presence]\nnick = \"Alice\"\n"
    ));
    assert_eq!(c.nick_for(&c.accounts[0]).as_deref(), Some("Alice"));
    assert_eq!(c.nick_for(&c.accounts[1]), None);
}

#[test]
fn apply_keeps_what_the_override_leaves_unset() {
    let global = OwnPresence {
        show: Show::Xa,
        status: "gone".into(),
        priority: 3,
    };
    assert_eq!(PresenceOverride::default().apply(&global), global);
    let only_status = PresenceOverride {
        status: Some(String::new()),
        ..Default::default()
    };
    assert_eq!(
        only_status.apply(&global),
        OwnPresence {
            status: String::new(),
            ..global.clone()
        }
    );
}

#[test]
fn duplicate_names_are_rejected_naming_both_accounts() {
    let m = err(&two_with("name = \"work\""));
    assert_has(&m, &["account[2].name", "\"work\"", "account[1]", "unique"]);
    // Same JID, different resources, no names: both default to the JID.
    let m = err(
        "[[account]]\njid = \"a@b.c\"\npassword = \"p\"\nresource = \"one\"\n[[account]]\njid = \"a@b.c\"\npassword = \"p\"\nresource = \"two\"\n",
    );
    assert_has(
        &m,
        &[
            "account[2].name",
            "\"a@b.c\"",
            "account[1]",
            "named after its JID",
        ],
    );
}

#[test]
fn same_jid_and_resource_twice_is_rejected() {
    let m = err(
        &two_with("jid = \"alice@work.example\"\nresource = \"laptop\"\nname = \"again\"")
            .replace("jid = \"alice@example.org\"\n", ""),
    );
    assert_has(
        &m,
        &[
            "account[2].resource",
            "alice@work.example",
            "\"laptop\"",
            "account[1]",
        ],
    );
    let m = err("[[account]]\njid = \"a@b.c\"\npassword = \"p\"\nname = \"x\"\n[[account]]\njid = \"a@b.c\"\npassword = \"p\"\nname = \"y\"\n");
    assert_has(&m, &["account[2].resource", "unset", "account[1]"]);
}

#[test]
fn a_bad_value_in_the_second_account_names_it() {
    let cases: &[(&str, &[&str])] = &[
        (
            "port = 70000",
            &["account[2].port: 70000 is not a TCP port", "1..65535"],
        ),
        (
            "tls = \"ssl\"",
            &["account[2].tls", "\"starttls\" or \"direct\""],
        ),
        ("keepalive = 1", &["account[2].keepalive", "2..3600"]),
        (
            "dns_server = \"x\"",
            &["account[2].dns_server", "IP address"],
        ),
        (
            "cert_fingerprint = \"md5:0\"",
            &["account[2].cert_fingerprint", "64 hex digits"],
        ),
        ("resource = \"\"", &["account[2].resource", "empty"]),
        (
            "server = \"a b\"",
            &["account[2].server", "not a host name"],
        ),
        (
            "password_command = \"x\"",
            &["account[2].password", "not both"],
        ),
        (
            "presence = { show = \"busy\" }",
            &["account[2].presence.show", "online, chat, away, xa, dnd"],
        ),
        (
            "[account.presence]\npriority = 200",
            &["account[2].presence.priority", "-128..127"],
        ),
    ];
    for (extra, needles) in cases {
        assert_has(&err(&two_with(extra)), needles);
    }
    let m = err(&TWO.replace("resource = \"laptop\"", "port = 0"));
    assert_has(&m, &["account[1].port", "1..65535"]);
}

#[test]
fn a_value_of_the_wrong_type_names_table_key_and_line() {
    let m = err(&two_with("port = \"5222\""));
    assert_has(
        &m,
        &[
            "account[2].port: invalid type: string \"5222\", expected an integer",
            "(line 12, column 8)",
        ],
    );
    let m = err(&two_with("[account.presence]\nshow = 1"));
    assert_has(
        &m,
        &[
            "account[2].presence.show",
            "invalid type: integer `1`",
            "line 13",
        ],
    );
    let m = err("[account]\njid = \"a@b.c\"\npassword = 5\n");
    assert_has(
        &m,
        &["account.password: invalid type: integer `5`", "line 3"],
    );
    let m = err(&format!("{TWO}[watch]\ncontacts = [\"a@b.c\", 2]\n"));
    assert_has(&m, &["watch.contacts[2]", "invalid type: integer `2`"]);
    let m = err(&format!("{TWO}[keys]\nquit = 5\n"));
    assert_has(
        &m,
        &["keys.quit: expected a key or a list of keys", "line 13"],
    );
}

#[test]
fn unknown_keys_are_named_with_their_table() {
    let m = err(&two_with("colour = 1"));
    assert_has(
        &m,
        &[
            "account[2].colour",
            "unknown field `colour`",
            "`jid`",
            "line 12",
        ],
    );
    let m = err(&two_with("presence = { mood = \"x\" }"));
    assert_has(&m, &["account[2].presence.mood", "unknown field `mood`"]);
    let m = err("[account]\njid = \"a@b.c\"\npassword = \"p\"\nfoo = 1\n");
    assert_has(
        &m,
        &["account.foo: unknown field `foo`", "line 4, column 1"],
    );
    let m = err(&format!("{TWO}[roster]\ncolour = 1\n"));
    assert_has(
        &m,
        &["roster.colour", "unknown field `colour`", "`accounts`"],
    );
}

#[test]
fn the_issue_case_no_longer_says_map_expected_string() {
    // Before: "invalid type: map, expected a string" at line 1 for any [[account]] file.
    let c = ok("[[account]]\njid = \"a@b.c\"\npassword = \"p\"\n");
    assert_eq!(c.accounts[0].jid.as_str(), "a@b.c");
    let m = err("[[account]]\njid = { user = \"a\" }\npassword = \"p\"\n");
    assert_has(
        &m,
        &[
            "account[1].jid: invalid type: map, expected a string",
            "line 2",
        ],
    );
    let m = err("account = \"a@b.c\"\n");
    assert_has(
        &m,
        &[
            "account: invalid type: string \"a@b.c\"",
            "an [account] table or [[account]] tables",
        ],
    );
    let m = err("account = [1]\n");
    assert_has(
        &m,
        &["account[1]: invalid type: integer `1`, expected an account table"],
    );
}

#[test]
fn mixing_account_and_array_of_accounts_is_explained() {
    for text in [
        "[account]\njid = \"a@b.c\"\npassword = \"p\"\n[[account]]\njid = \"d@b.c\"\npassword = \"p\"\n",
        "[[account]]\njid = \"a@b.c\"\npassword = \"p\"\n[account]\njid = \"d@b.c\"\npassword = \"p\"\n",
    ] {
        let m = err(text);
        assert_has(&m, &["account: ", "[account] table and [[account]] tables cannot be mixed", "line 4", "write every account as [[account]]"]);
    }
    // Two [account] tables are a plain TOML mistake, reported as such.
    let m = err("[account]\njid = \"a@b.c\"\n[account]\npassword = \"p\"\n");
    assert_has(&m, &["TOML parse error at line 3", "duplicate key"]);
    assert!(!m.contains("mixed"), "{m}");
}

#[test]
fn a_missing_jid_in_the_second_account_is_named() {
    let m = err(&TWO.replace("jid = \"alice@example.org\"\n", ""));
    assert_has(&m, &["account[2].jid: missing", "alice@example.org"]);
    let m = err(&TWO.replace("password = \"pw\"\n", ""));
    assert_has(&m, &["account[2].password: missing"]);
}

#[test]
fn no_account_at_all_is_the_same_error_as_before() {
    for text in ["", "account = []\n", "[presence]\nshow = \"dnd\"\n"] {
        assert_has(&err(text), &["[account]: missing", "jid and password"]);
    }
}

#[test]
fn names_are_short_printable_and_not_empty() {
    let name = |n: &str| two_with(&format!("name = {n:?}"));
    assert_eq!(ok(&name(&"x".repeat(32))).accounts[1].name.len(), 32);
    assert_eq!(ok(&name("Família 🏠")).accounts[1].name, "Família 🏠");
    assert_has(&err(&name("")), &["account[2].name", "is empty"]);
    assert_has(&err(&name("  ")), &["account[2].name", "is empty"]);
    assert_has(
        &err(&name(&"x".repeat(33))),
        &["account[2].name", "33 characters", "at most 32"],
    );
    assert_has(
        &err(&two_with(r#"name = "a\tb""#)),
        &["account[2].name", "control character"],
    );
    assert_has(
        &err(&two_with(r#"name = "a\u001b[31m""#)),
        &["account[2].name", "control character"],
    );
}

#[test]
fn roster_aggregate_names_one_of_three_rules() {
    use crate::domain::Aggregate;
    assert_eq!(ok(TWO).aggregate, Aggregate::Priority);
    for rule in Aggregate::ALL {
        let c = ok(&format!(
            "{TWO}[roster]\naggregate = \"{}\"\n",
            rule.as_str()
        ));
        assert_eq!(c.aggregate, rule);
    }
    let m = err(&format!("{TWO}[roster]\naggregate = \"loudest\"\n"));
    assert_has(
        &m,
        &[
            "roster.aggregate: \"loudest\"",
            "\"most-available\"",
            "\"dnd-wins\"",
        ],
    );
}

#[test]
fn roster_accounts_is_tag_or_group() {
    let c = ok(&format!("{TWO}[roster]\naccounts = \"group\"\n"));
    assert_eq!(c.account_display, AccountDisplay::Group);
    let c = ok(&format!("{TWO}[roster]\naccounts = \"tag\"\n"));
    assert_eq!(c.account_display, AccountDisplay::Tag);
    let m = err(&format!("{TWO}[roster]\naccounts = \"bogus\"\n"));
    assert_has(&m, &["roster.accounts: \"bogus\"", "\"tag\"", "\"group\""]);
}

#[test]
fn the_example_multi_account_block_loads_when_uncommented() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("config.example.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    let start = text
        .find("\n# [[account]]\n")
        .expect("the example shows [[account]]")
        + 1;
    let block: String = text[start..]
        .lines()
        .take_while(|l| l.starts_with('#'))
        .map(|l| {
            format!(
                "{}\n",
                l.strip_prefix("# ").unwrap_or(l.trim_start_matches('#'))
            )
        })
        .collect();
    assert_eq!(
        block.lines().filter(|l| *l == "[[account]]").count(),
        2,
        "{block}"
    );
    // The documented way: the [account] table replaced by the block, the rest unchanged.
    let account_at = text.find("\n[account]\n").expect("[account] table") + 1;
    let presence_at = text.find("\n[presence]\n").expect("[presence] table") + 1;
    let multi = format!("{}{block}{}", &text[..account_at], &text[presence_at..]);
    let c = parse(&path, &multi).unwrap_or_else(|e| panic!("{e}\n{block}"));
    let names: Vec<&str> = c.accounts.iter().map(|a| a.name.as_str()).collect();
    assert_eq!(names, ["work", "home"]);
    let (work, home) = (&c.accounts[0], &c.accounts[1]);
    assert_eq!(c.presence_for(work).show, Show::Dnd);
    assert_eq!(c.presence_for(work).status, "at work");
    assert_eq!(c.presence_for(home).priority, -1);
    assert_eq!(c.presence_for(home).status, "around");
    assert_eq!(c.nick_for(home).as_deref(), Some("Ally"));
    assert_eq!(c.account_display, AccountDisplay::Tag);
}

#[cfg(unix)]
#[test]
fn a_literal_password_in_any_account_warns_about_permissions() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.toml");
    let write = |text: &str| {
        std::fs::write(&path, text).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
    };
    write(TWO);
    let c = load(&path).unwrap();
    assert!(
        c.warnings.iter().any(|w| w.contains("chmod 600")),
        "{:?}",
        c.warnings
    );
    write(&TWO.replace("password = \"pw\"", "password_command = \"pass show home\""));
    assert!(load(&path).unwrap().warnings.is_empty());
}
