use super::*;

fn jid(s: &str) -> BareJid {
    BareJid::new(s).expect("test JID")
}

fn item(j: &str, name: Option<&str>, groups: &[&str]) -> RosterItem {
    RosterItem {
        jid: jid(j),
        name: name.map(str::to_owned),
        groups: groups.iter().map(|g| g.to_string()).collect(),
        subscription: Subscription::Both,
        pending_out: false,
    }
}

fn open(dir: &tempfile::TempDir) -> History {
    History::open(&dir.path().join("sub/rosterm.sqlite3")).expect("opens")
}

#[test]
fn a_roster_its_version_and_presence_come_back_as_written() {
    let dir = tempfile::tempdir().expect("tempdir");
    let me = jid("alice@example.org");
    let mut h = open(&dir);
    assert_eq!(h.load_roster(&me).expect("load"), CachedRoster::default());
    let mut fox = item("📱fox@bots.example", None, &[]);
    fox.subscription = Subscription::To;
    fox.pending_out = true;
    let items = vec![
        item("bob@example.org", Some("Bob"), &["Friends", "Work"]),
        fox.clone(),
    ];
    h.write(&me, &Write::Roster(items.clone())).expect("roster");
    h.write(&me, &Write::Version("42".into())).expect("ver");
    h.write(
        &me,
        &Write::Presence(vec![LastPresence {
            jid: jid("bob@example.org"),
            resource: "pc".into(),
            show: Show::Dnd,
            status: "busy".into(),
            priority: -3,
        }]),
    )
    .expect("presence");
    // Another account's data stays apart.
    h.write(
        &jid("work@example.org"),
        &Write::Roster(vec![item("x@y", None, &[])]),
    )
    .expect("other account");
    drop(h);

    let h = open(&dir);
    let mut cached = h.load_roster(&me).expect("load");
    cached.items.sort_by(|a, b| a.jid.cmp(&b.jid));
    assert_eq!(cached.items, vec![items[0].clone(), fox]);
    assert_eq!(cached.ver.as_deref(), Some("42"));
    assert_eq!(cached.presence.len(), 1);
    assert_eq!(cached.presence[0].show, Show::Dnd);
    assert_eq!(cached.presence[0].priority, -3);
    assert!(cached.saved_at.is_some());
}

#[test]
fn pushes_and_removals_update_the_cache_and_a_new_roster_clears_the_version() {
    let dir = tempfile::tempdir().expect("tempdir");
    let me = jid("alice@example.org");
    let mut h = open(&dir);
    h.write(&me, &Write::Roster(vec![item("bob@x", None, &[])]))
        .expect("roster");
    h.write(&me, &Write::Version("1".into())).expect("ver");
    h.write(&me, &Write::Push(item("carol@x", Some("Carol"), &["G"])))
        .expect("push");
    h.write(&me, &Write::Remove(jid("bob@x"))).expect("remove");
    h.write(&me, &Write::Version("3".into())).expect("ver");
    let cached = h.load_roster(&me).expect("load");
    assert_eq!(cached.items, vec![item("carol@x", Some("Carol"), &["G"])]);
    assert_eq!(cached.ver.as_deref(), Some("3"));
    // A full roster without its version yet: no version is claimed for it.
    h.write(&me, &Write::Roster(vec![item("dave@x", None, &[])]))
        .expect("roster");
    assert_eq!(h.load_roster(&me).expect("load").ver, None);
}

#[test]
fn rows_edited_into_nonsense_are_skipped_and_text_is_sanitized() {
    let dir = tempfile::tempdir().expect("tempdir");
    let me = jid("alice@example.org");
    let h = open(&dir);
    h.conn
        .execute_batch(
            "INSERT INTO roster_state VALUES ('alice@example.org', NULL, 1);
             INSERT INTO roster VALUES ('alice@example.org', 'not a jid@@', NULL, '', 'both', 0);
             INSERT INTO roster VALUES ('alice@example.org', 'ok@x', 'evil\u{1b}[2J', '', 'weird', 0);
             INSERT INTO last_presence VALUES ('alice@example.org', 'ok@x', 'r', 'sleeping', '', 0);",
        )
        .expect("raw rows");
    let cached = h.load_roster(&me).expect("load");
    assert_eq!(cached.items.len(), 1);
    assert!(!cached.items[0]
        .name
        .as_deref()
        .unwrap_or("")
        .contains('\u{1b}'));
    assert_eq!(cached.items[0].subscription, Subscription::None);
    assert!(cached.presence.is_empty(), "an unknown show is skipped");
}

#[cfg(unix)]
#[test]
fn the_file_and_its_directory_are_private() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().expect("tempdir");
    let h = open(&dir);
    let file = std::fs::metadata(h.path())
        .expect("file")
        .permissions()
        .mode();
    let parent = std::fs::metadata(h.path().parent().expect("dir"))
        .expect("dir")
        .permissions()
        .mode();
    assert_eq!((file & 0o777, parent & 0o777), (0o600, 0o700));
}

#[test]
fn the_writer_writes_in_order_and_finishes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let me = jid("alice@example.org");
    let writer = Writer::spawn(open(&dir), me.clone()).expect("thread");
    writer.send(Write::Roster(vec![item("bob@x", None, &[])]));
    writer.send(Write::Version("9".into()));
    writer.finish(Duration::from_secs(10));
    let cached = open(&dir).load_roster(&me).expect("load");
    assert_eq!((cached.items.len(), cached.ver.as_deref()), (1, Some("9")));
}

/// `status_on_start = "last"` reads what was written at quit, per account; a row that makes
/// no sense (edited by hand) is none rather than an error.
#[test]
fn the_own_presence_comes_back_per_account_and_a_bad_row_is_none() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (me, work) = (jid("alice@example.org"), jid("work@example.org"));
    let mut h = open(&dir);
    assert_eq!(h.load_roster(&me).expect("load").own, None);
    let own = crate::domain::OwnPresence {
        show: Show::Dnd,
        status: "deep in a \u{1b}[31mbug".into(),
        priority: -2,
    };
    h.write(&me, &Write::Own(own.clone())).expect("own");
    h.write(&work, &Write::Own(crate::domain::OwnPresence::default()))
        .expect("own");
    drop(h);
    let h = open(&dir);
    let back = h.load_roster(&me).expect("load").own.expect("saved");
    assert_eq!((back.show, back.priority), (Show::Dnd, -2));
    assert!(!back.status.contains('\u{1b}'), "{:?}", back.status);
    assert_eq!(
        h.load_roster(&work).expect("load").own,
        Some(crate::domain::OwnPresence::default())
    );
    h.conn
        .execute("UPDATE own_presence SET show = 'sleeping'", [])
        .expect("edit");
    assert_eq!(h.load_roster(&me).expect("load").own, None);
}
