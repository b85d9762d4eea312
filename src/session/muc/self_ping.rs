//! XEP-0410 self-ping: a room the user is in but has heard nothing from for a while may
//! have dropped the user silently (a restarted room service, a lost server-to-server link).
//! Every [`CHECK`] the session pings its own occupant JID in each joined room quiet for
//! [`IDLE`]; `not-acceptable` means the room no longer knows the user: join again
//! (`Rejoining`). A result, any other error, or no answer in time: still joined.

use std::time::Duration;

use jid::{BareJid, Jid};
use tokio::time::Instant;
use xmpp_parsers::iq::Iq;
use xmpp_parsers::ping::Ping;
use xmpp_parsers::stanza::Stanza;

use crate::session::requests::RequestKind;
use crate::session::Session;

use super::build::occupant_jid;
use super::Stage;

/// A room this quiet gets a self-ping.
pub const IDLE: Duration = Duration::from_secs(5 * 60);
/// How often quiet rooms are looked for.
pub const CHECK: Duration = Duration::from_secs(60);

/// Does a self-ping's answer (an error phrase, or none for a result) say the user was
/// dropped from the room?
pub fn dropped(error: Option<&str>) -> bool {
    error.is_some_and(|e| e.starts_with("not-acceptable"))
}

impl Session {
    /// Pings every joined room that has been quiet for [`IDLE`] and is not being pinged.
    pub(in crate::session) async fn on_self_ping_tick(&mut self) -> bool {
        if !self.online {
            return true;
        }
        let now = Instant::now();
        for room in self.rooms.in_stage(&[Stage::Joined]) {
            let Some(r) = self.rooms.get_mut(&room) else {
                continue;
            };
            let quiet = r.heard.is_none_or(|h| now.duration_since(h) >= IDLE);
            let Some(to) = occupant_jid(&room, &r.nick).filter(|_| quiet && !r.pinging) else {
                continue;
            };
            r.pinging = true;
            let kind = RequestKind::SelfPing { room: room.clone() };
            let id = self.requests.track(kind, now);
            let iq = Iq::from_get(id, Ping).with_to(Jid::from(to));
            self.send(Stanza::Iq(iq)).await;
        }
        true
    }

    /// The room answered a self-ping (`error`: the error's phrase); false when the app is
    /// gone.
    pub(in crate::session) async fn on_self_ping_answer(
        &mut self,
        room: BareJid,
        error: Option<String>,
    ) -> bool {
        let Some(r) = self.rooms.get_mut(&room) else {
            return true;
        };
        r.pinging = false;
        if r.stage != Stage::Joined || !dropped(error.as_deref()) {
            return true;
        }
        tracing::info!(%room, "self-ping: the room dropped the user; joining again");
        self.rejoin(&room).await
    }

    /// No answer in time: the user stays joined (the next quiet spell pings again).
    pub(in crate::session) fn on_self_ping_timeout(&mut self, room: &BareJid) {
        if let Some(r) = self.rooms.get_mut(room) {
            r.pinging = false;
        }
    }

    /// Something came from the room: it is not quiet.
    pub(super) fn heard_from(&mut self, room: &BareJid) {
        if let Some(r) = self.rooms.get_mut(room) {
            r.heard = Some(Instant::now());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::dropped;

    #[test]
    fn only_not_acceptable_means_dropped() {
        assert!(dropped(Some(
            "not-acceptable (You are not currently connected to this chat)"
        )));
        assert!(dropped(Some("not-acceptable")));
        for kept in [
            None,
            Some("service-unavailable"),
            Some("feature-not-implemented"),
            Some("item-not-found"),
            Some("remote-server-timeout"),
        ] {
            assert!(!dropped(kept), "{kept:?}");
        }
    }
}
