//! Everyday use with the real binary in tmux (issue 14): a contact by part of its name with
//! Tab, a group completed after it, a presence key undone with `u`, groups folded.

use crate::harness::{RosterEntry, Server};
use crate::terminal::{alternate_on, rosterm_in_shell};

fn server() -> Server {
    let server = Server::start();
    server.register("alice", "alice-pw");
    server.register("bob", "bob-pw");
    server.set_roster(
        "alice",
        &[
            RosterEntry {
                name: Some("Bob Builder".into()),
                groups: vec!["Friends".into()],
                ..RosterEntry::new("bob@localhost")
            },
            RosterEntry {
                name: Some("Zoe".into()),
                groups: vec!["Family".into()],
                ..RosterEntry::new("zoe@localhost")
            },
        ],
    );
    server
}

fn bottom(screen: &str) -> &str {
    screen
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("")
}

#[test]
fn tab_completes_contacts_and_groups_and_u_undoes_a_presence_key() {
    let server = server();
    let dir = tempfile::tempdir().unwrap();
    let (tmux, _pid) = rosterm_in_shell(&server, dir.path(), 120);
    // A contact by the start of its name, completed (quoted: it has a space).
    tmux.keys(&["/"]);
    tmux.keys(&["-l", "status get bo"]);
    tmux.keys(&["Tab"]);
    tmux.wait_for("the name completed", |s| {
        bottom(s).contains("/status get \"Bob Builder\"")
    });
    tmux.keys(&["Enter"]);
    tmux.wait_for("the contact's details", |s| s.contains("bob@localhost"));
    tmux.keys(&["Escape"]);
    // A group completed after the contact, never made from the prefix.
    tmux.keys(&["/"]);
    tmux.keys(&["-l", "group add zo"]);
    tmux.keys(&["Tab"]);
    tmux.keys(&["-l", "Fr"]);
    tmux.keys(&["Tab"]);
    tmux.wait_for("the group completed", |s| {
        bottom(s).contains("/group add Zoe Friends")
    });
    tmux.keys(&["Escape"]);
    // A presence key says how to undo it; u undoes it.
    tmux.keys(&["a"]);
    tmux.wait_for("away, with the undo key", |s| {
        s.lines().next().is_some_and(|h| h.contains("◐ away")) && bottom(s).contains("(u undoes)")
    });
    tmux.keys(&["u"]);
    tmux.wait_for("online again", |s| {
        s.lines().next().is_some_and(|h| h.contains("you ● online"))
            && bottom(s).contains("Presence restored")
    });
    // Fold every group, unfold them.
    tmux.keys(&["z"]);
    tmux.wait_for("folded", |s| {
        s.contains("▸ Friends") && s.contains("▸ Family") && !s.contains("Bob Builder")
    });
    tmux.keys(&["Z"]);
    tmux.wait_for("unfolded", |s| s.contains("Bob Builder"));
    tmux.keys(&["q"]);
    tmux.wait_for("quit", |_| !alternate_on(&tmux));
}

#[test]
fn q_asks_before_losing_a_draft_and_search_then_enter_opens() {
    let server = server();
    let dir = tempfile::tempdir().unwrap();
    let (tmux, _pid) = rosterm_in_shell(&server, dir.path(), 120);
    // A search selects its first match; Enter closes it, Enter again opens the conversation.
    tmux.keys(&["f"]);
    tmux.keys(&["-l", "zo"]);
    tmux.keys(&["Enter"]);
    tmux.wait_for("the filter line and the match selected", |s| {
        s.contains("Filter: search \"zo\"") && bottom(s).contains("Zoe selected")
    });
    tmux.keys(&["Enter"]);
    tmux.keys(&["-l", "half a thought"]);
    tmux.wait_for("the draft", |s| s.contains("half a thought"));
    tmux.keys(&["Escape"]);
    tmux.keys(&["q"]);
    tmux.wait_for("the question", |s| {
        bottom(s).contains("1 unsent draft would be lost. Quit anyway? y/n")
    });
    tmux.keys(&["n"]);
    tmux.wait_for("not quitting", |s| bottom(s).contains("Not quitting."));
    tmux.keys(&["q"]);
    tmux.wait_for("the question again", |s| bottom(s).contains("Quit anyway?"));
    tmux.keys(&["y"]);
    tmux.wait_for("quit", |_| !alternate_on(&tmux));
}

#[test]
fn the_help_scrolls_with_the_roster_keys_and_fits_the_width() {
    let server = server();
    let dir = tempfile::tempdir().unwrap();
    let (tmux, _pid) = rosterm_in_shell(&server, dir.path(), 200);
    tmux.keys(&["?"]);
    let first = tmux.wait_for("the help, with more below", |s| {
        s.contains("rosterm help") && s.contains("more: j / Down / PageDown")
    });
    let top = first
        .lines()
        .find(|l| l.starts_with('┌'))
        .unwrap_or_default()
        .to_owned();
    assert_eq!(
        top.chars().count(),
        200,
        "the help takes the width: {first}"
    );
    tmux.keys(&["j"]);
    tmux.wait_for("scrolled one line", |s| s.contains("↑ 1 above"));
    tmux.keys(&["G"]);
    tmux.wait_for("at the end", |s| {
        s.contains("more: k / Up / PageUp") && s.contains("/quit")
    });
    tmux.keys(&["Escape"]);
    tmux.wait_for("closed", |s| !s.contains("rosterm help"));
    tmux.keys(&["q"]);
    tmux.wait_for("quit", |_| !alternate_on(&tmux));
}
