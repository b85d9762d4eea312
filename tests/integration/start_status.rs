//! `status_on_start = "last"` in the real binary: rosterm starts with the presence the user
//! had when it quit, as the user set it. Quitting while auto-away is on (a signal: any key
//! would end auto-away first) saves the user's presence, not the auto-away one: the bug
//! profanity users know (#2073: back from a drop, still away for hours).

use xmpp_parsers::presence::{Show as XShow, Type as XType};

use crate::binary::{alice_and_bob, exited, shell_command, signal_rosterm, write_config, Tmux};
use crate::peer::presence_from;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_presence_at_quit_is_the_next_start_and_never_an_auto_away() {
    let (server, mut bob, dir) = alice_and_bob("here").await;
    let log = dir.path().join("rosterm.log");
    let config = write_config(dir.path(), &server, "alice-pw", server.port);
    let base = std::fs::read_to_string(&config).unwrap();
    let with = |away_after: &str| {
        let text = base.replacen(
            "[presence]\n",
            "[presence]\nstatus_on_start = \"last\"\n",
            1,
        );
        std::fs::write(
            &config,
            format!("{text}[auto_away]\ntmux_detach = false\naway_after = \"{away_after}\"\nxa_after = \"0\"\n"),
        )
        .unwrap();
    };
    let me = "alice@localhost/rosterm";
    let shows = |show: Option<XShow>, status: &'static str| {
        move |s: &xmpp_parsers::stanza::Stanza| {
            presence_from(s, me).is_some_and(|p| {
                p.type_ == XType::None
                    && p.show == show
                    && p.statuses.values().next().map(String::as_str) == Some(status)
            })
        }
    };

    // First run: the config's presence, then the user's chat; idle for 2 s, auto-away.
    with("2s");
    let tmux = Tmux::start(&shell_command(&config, &log), 120, 24);
    bob.wait_for("the config's presence", shows(None, "hello from tmux"))
        .await;
    tmux.keys(&["/chat ready to talk", "Enter"]);
    bob.wait_for(
        "alice free for chat",
        shows(Some(XShow::Chat), "ready to talk"),
    )
    .await;
    bob.wait_for("alice auto-away", shows(Some(XShow::Away), "ready to talk"))
        .await;
    signal_rosterm(&config, "TERM");
    tmux.wait_for("rosterm exited", exited);
    bob.wait_for("alice gone", |s| {
        presence_from(s, me).is_some_and(|p| p.type_ == XType::Unavailable)
    })
    .await;
    drop(tmux);

    // Second run: what she had set, not what auto-away sent, and not the config's.
    with("1h");
    let tmux = Tmux::start(&shell_command(&config, &log), 120, 24);
    let back = bob
        .wait_for("alice's own presence again", |s| {
            presence_from(s, me).is_some_and(|p| p.type_ == XType::None)
        })
        .await;
    let p = presence_from(&back, me).unwrap();
    assert_eq!(p.show, Some(XShow::Chat), "{p:?}");
    assert_eq!(
        p.statuses.values().next().map(String::as_str),
        Some("ready to talk")
    );
    assert_eq!(p.priority.0, 4);
    tmux.wait_for("the header says chat", |s| {
        s.lines().next().is_some_and(|h| h.contains("chat"))
    });
    drop(tmux);
    bob.close().await;
}
