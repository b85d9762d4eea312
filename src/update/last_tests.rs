//! `/last` and `/history`: what is known is said at once, else the server is asked; its
//! answer is the contact's last seen and one line on the status line.

use std::time::Duration;

use crate::domain::{ContactId, Show};
use crate::event::{Command, SessionEvent};
use crate::store::{Mode, Severity};
use crate::test_support::{jid, mixed_state, A0};
use crate::update::commands::last_answer;
use crate::update::{on_session, run_command, Effect};

fn heidi() -> ContactId {
    ContactId::new(A0, jid("heidi@example.org"))
}

fn run(s: &mut crate::store::State, line: &str) -> Vec<Effect> {
    let cmd = crate::command::parse(line).expect("parses");
    run_command(s, cmd)
}

#[test]
fn last_asks_the_server_when_nothing_is_known_and_keeps_its_answer() {
    let mut s = mixed_state();
    let effects = run(&mut s, "/last heidi@example.org");
    assert_eq!(
        effects,
        [Effect::Send(
            A0,
            Command::QueryLastActivity(jid("heidi@example.org"))
        )]
    );
    let now = s.settings.clock;
    let answer = Ok((7200 + 30, "gone fishing".into()));
    last_answer(&mut s, A0, &jid("heidi@example.org"), answer, now);
    let (text, severity) = s.ui.message.clone().expect("said");
    assert_eq!(text, "heidi@example.org: seen 2h ago, \"gone fishing\"");
    assert_eq!(severity, Severity::Info);
    let seen = s.contact(&heidi()).and_then(|c| c.last_seen);
    assert_eq!(seen, Some(s.settings.clock - Duration::from_secs(7230)));
    // Now it is known: said at once, nothing asked.
    assert!(run(&mut s, "/last heidi@example.org").is_empty());
    assert_eq!(
        s.ui.message.as_ref().map(|m| m.0.as_str()),
        Some("heidi@example.org: seen 2h ago")
    );
}

#[test]
fn an_error_is_one_sentence_and_an_online_contact_is_not_seen_leaving() {
    let mut s = mixed_state();
    on_session(
        &mut s,
        A0,
        SessionEvent::LastActivity {
            jid: jid("heidi@example.org"),
            result: Err("heidi@example.org did not say when it was last seen: forbidden.".into()),
        },
    );
    assert_eq!(s.ui.message.as_ref().map(|m| m.1), Some(Severity::Error));
    assert_eq!(s.contact(&heidi()).and_then(|c| c.last_seen), None);
    crate::test_support::presence(&mut s, "heidi@example.org", "pc", Show::Online, 0, "");
    on_session(
        &mut s,
        A0,
        SessionEvent::LastActivity {
            jid: jid("heidi@example.org"),
            result: Ok((600, String::new())),
        },
    );
    let text = s.ui.message.clone().expect("said").0;
    assert_eq!(text, "heidi@example.org is online (last active 10m ago)");
    assert_eq!(s.contact(&heidi()).and_then(|c| c.last_seen), None);
}

#[test]
fn history_opens_the_detail_view_and_reads_the_log() {
    let mut s = mixed_state();
    let effects = run(&mut s, "/history heidi@example.org");
    assert_eq!(effects, [Effect::LoadTransitions(heidi())]);
    assert_eq!(s.ui.mode, Mode::Detail(heidi()));
}
