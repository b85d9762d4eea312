//! `rosterm who --room ROOM [--json]`: log in, join the room, wait for its occupant list
//! (complete with the user's own presence, XEP-0045 §7.2.3), print it, and leave.

use std::time::Duration;

use jid::BareJid;

use crate::domain::room::Occupant;
use crate::domain::{Availability, ContactId};
use crate::event::Command;
use crate::sessions::Sessions;
use crate::store::room::{JoinState, Room};
use crate::store::State;
use crate::update::Effect;

/// Longest wait for the join to complete after login.
const JOIN_WAIT: Duration = Duration::from_secs(30);

/// Joins `room` on the first account and applies events until the join completes or fails
/// (the failure's sentence is the error).
pub async fn collect(
    sessions: &mut Sessions,
    state: &mut State,
    target: &jid::Jid,
) -> Result<(), String> {
    super::collect(sessions, state).await?;
    let room = &target.to_bare();
    let account = state.primary().id;
    let id = ContactId::new(account, room.clone());
    for effect in crate::update::rooms::join_unfocused(state, account, target, None) {
        if let Effect::Send(to, command) = effect {
            sessions.send(to, command);
        }
    }
    let deadline = tokio::time::Instant::now() + JOIN_WAIT;
    loop {
        match state.chats.room(&id).map(|r| &r.state) {
            Some(JoinState::Joined) => break,
            Some(JoinState::Out(why)) => return Err(why.clone()),
            _ => {}
        }
        let got = tokio::time::timeout_at(deadline, sessions.recv())
            .await
            .map_err(|_| format!("{room} did not answer the join within 30 s."))?;
        super::apply(state, got)?;
    }
    let leave = Command::LeaveRoom {
        room: room.clone(),
        reason: None,
    };
    sessions.send(account, leave);
    Ok(())
}

fn occupants<'a>(state: &'a State, room: &BareJid) -> Vec<&'a Occupant> {
    let id = ContactId::new(state.primary().id, room.clone());
    state.chats.room(&id).map(Room::sorted).unwrap_or_default()
}

/// One line per occupant: nick, show, role, affiliation, status (tab-separated).
pub fn text_report(state: &State, room: &BareJid) -> String {
    occupants(state, room)
        .iter()
        .map(|o| {
            format!(
                "{}\t{}\t{}\t{}\t{}\n",
                o.nick,
                Availability::Available(o.show).label(),
                o.role.as_str(),
                o.affiliation.as_str(),
                o.status
            )
        })
        .collect()
}

/// `{"nick": {"show", "status", "role", "affiliation", "jid"}}`.
pub fn json_report(state: &State, room: &BareJid) -> String {
    use super::json_string as s;
    let items: Vec<String> = occupants(state, room)
        .iter()
        .map(|o| {
            let jid = o
                .real_jid
                .as_ref()
                .map_or_else(|| "null".to_owned(), |j| s(&j.to_string()));
            format!(
                "{}:{{\"show\":{},\"status\":{},\"role\":{},\"affiliation\":{},\"jid\":{jid}}}",
                s(&o.nick),
                s(Availability::Available(o.show).label()),
                s(&o.status),
                s(o.role.as_str()),
                s(o.affiliation.as_str()),
            )
        })
        .collect();
    format!("{{{}}}\n", items.join(","))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::room::{Affiliation, Role, RoomEvent};
    use crate::domain::{AccountId, Show};
    use crate::event::SessionEvent;
    use crate::test_support::{jid, mixed_state};

    #[test]
    fn reports_list_every_occupant_sorted_with_show_role_and_status() {
        let mut state = mixed_state();
        let room = jid("dev@conf.example");
        state
            .chats
            .open_room(&ContactId::new(AccountId(0), room.clone()), "ally", None);
        for (nick, show, role, status) in [
            ("bob", Show::Away, Role::Participant, "tea \"now\""),
            ("carol", Show::Dnd, Role::Moderator, ""),
        ] {
            let occupant = Occupant {
                nick: nick.into(),
                show,
                status: status.into(),
                role,
                affiliation: Affiliation::None,
                real_jid: None,
                caps: None,
            };
            let event = SessionEvent::Room {
                room: room.clone(),
                event: RoomEvent::Occupant(occupant),
            };
            state.apply(AccountId(0), event);
        }
        assert_eq!(
            text_report(&state, &room),
            "carol\tdnd\tmoderator\tnone\t\nbob\taway\tparticipant\tnone\ttea \"now\"\n"
        );
        let json: serde_json::Value = serde_json::from_str(&json_report(&state, &room)).unwrap();
        assert_eq!(json["bob"]["status"], "tea \"now\"");
        assert_eq!(json["carol"]["role"], "moderator");
        assert!(json["carol"]["jid"].is_null());
    }
}
