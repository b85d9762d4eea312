//! Tab completion by argument kind: contacts, groups, accounts, shows, states, subcommands.

use super::*;

fn ctx() -> Context {
    let contact = |word: &str, names: &[&str], jid: &str| Contact {
        word: word.into(),
        names: names.iter().map(|n| n.to_lowercase()).collect(),
        jid: jid.into(),
    };
    Context {
        accounts: vec!["home".into(), "work place".into()],
        contacts: vec![
            contact("Ivan", &["ivan"], "ivan@example.org"),
            contact("\"Mum Smith\"", &["mum smith", "mummy"], "mum@example.org"),
            contact("Bob", &["bob"], "bob@example.org"),
            contact("Bert", &["bert"], "bert@example.org"),
            contact("zoe@example.org", &[], "zoe@example.org"),
        ],
        groups: vec!["Friends".into(), "Family".into(), "Open Source".into()],
    }
}

#[test]
fn a_contact_completes_by_name_nick_or_jid_prefix() {
    let c = ctx();
    assert_eq!(
        complete("/status get iv", &c),
        Some("/status get Ivan ".into())
    );
    assert_eq!(
        complete("/msg MUMM", &c),
        Some("/msg \"Mum Smith\" ".into()),
        "by nick, case-insensitive; a name with spaces is quoted"
    );
    assert_eq!(
        complete("/watch zo", &c),
        Some("/watch zoe@example.org ".into())
    );
    assert_eq!(
        complete("/remove ivan@", &c),
        Some("/remove ivan@example.org ".into()),
        "only the JID matched: the JID is inserted"
    );
    assert_eq!(
        candidates("/approve b", &c),
        vec!["/approve Bert ".to_owned(), "/approve Bob ".to_owned()]
    );
    assert_eq!(
        complete("/approve b", &c),
        Some("/approve B".into()),
        "Bert and Bob share only B"
    );
    assert_eq!(complete("/approve x", &c), None);
}

#[test]
fn a_group_completes_after_its_contact() {
    let c = ctx();
    assert_eq!(
        complete("/group add zoe@example.org Fr", &c),
        Some("/group add zoe@example.org Friends".into())
    );
    assert_eq!(
        complete("/group add \"Mum Smith\" open", &c),
        Some("/group add \"Mum Smith\" Open Source".into())
    );
    assert_eq!(
        complete("/group add zo", &c),
        Some("/group add zoe@example.org ".into())
    );
    assert_eq!(complete("/group re", &c), Some("/group remove ".into()));
    assert_eq!(
        candidates("/group add Bob F", &c).len(),
        2,
        "Family and Friends"
    );
    assert_eq!(
        complete("/who away Fa", &c),
        Some("/who away Family".into())
    );
}

#[test]
fn shows_states_and_accounts_complete() {
    let c = ctx();
    assert_eq!(
        complete("/presence Bob d", &c),
        Some("/presence Bob dnd ".into())
    );
    assert_eq!(complete("/who av", &c), Some("/who available ".into()));
    assert_eq!(complete("/filter of", &c), Some("/filter offline ".into()));
    assert_eq!(
        complete("/account w", &c),
        Some("/account \"work place\" ".into())
    );
    assert_eq!(
        complete("/account \"work place\" status get iv", &c),
        Some("/account \"work place\" status get Ivan ".into())
    );
    assert_eq!(
        complete("/query Iv", &c),
        Some("/query Ivan ".into()),
        "aliases too"
    );
    assert_eq!(complete("/away gone", &c), None, "free text");
}
