//! `/last JID`: XEP-0012 last activity asked of a contact's bare JID (for an offline
//! contact the server answers for it: seconds since it logged out, and its last status).
//! Only that JID may answer (the tracker checks); the answer is `SessionEvent::LastActivity`.

use jid::{BareJid, Jid};
use xmpp_parsers::iq::Iq;
use xmpp_parsers::minidom::Element;
use xmpp_parsers::stanza::Stanza;

use crate::event::SessionEvent;
use crate::sanitize::{sanitize, MAX_STATUS};

use super::requests::RequestKind;
use super::stanza::LAST_ACTIVITY;
use super::{Session, REQUEST_TIMEOUT};

/// The seconds and the status text of a `jabber:iq:last` answer (`None`: not one).
pub fn read_answer(payload: &Element) -> Option<(u64, String)> {
    if !payload.is("query", LAST_ACTIVITY) {
        return None;
    }
    let secs = payload.attr("seconds")?.trim().parse().ok()?;
    Some((secs, sanitize(&payload.text(), MAX_STATUS)))
}

impl Session {
    pub(super) async fn query_last(&mut self, jid: BareJid) -> bool {
        if !self.online {
            let text = format!("Not connected: cannot ask when {jid} was last seen.");
            return self.emit(SessionEvent::Notice(text)).await;
        }
        let kind = RequestKind::LastActivity { of: jid.clone() };
        let id = self.requests.track(kind, tokio::time::Instant::now());
        let iq = Iq::Get {
            from: None,
            to: Some(Jid::from(jid)),
            id,
            payload: Element::builder("query", LAST_ACTIVITY).build(),
        };
        self.send(Stanza::Iq(iq)).await;
        true
    }

    pub(super) async fn on_last_answer(
        &mut self,
        jid: BareJid,
        stanza: &Stanza,
        error: Option<String>,
    ) -> bool {
        let result = match (stanza, error) {
            (_, Some(error)) => Err(format!("{jid} did not say when it was last seen: {error}.")),
            (
                Stanza::Iq(Iq::Result {
                    payload: Some(p), ..
                }),
                None,
            ) => read_answer(p).ok_or_else(|| format!("{jid} sent an answer rosterm cannot read.")),
            _ => Err(format!("{jid} sent an empty answer.")),
        };
        self.emit(SessionEvent::LastActivity { jid, result }).await
    }

    pub(super) async fn on_last_timeout(&mut self, jid: BareJid) -> bool {
        let result = Err(format!(
            "{jid} did not say when it was last seen within {} s.",
            REQUEST_TIMEOUT.as_secs()
        ));
        self.emit(SessionEvent::LastActivity { jid, result }).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn el(xml: &str) -> Element {
        xml.parse().expect("test XML")
    }

    #[test]
    fn an_answer_gives_its_seconds_and_its_sanitized_status() {
        let p = el("<query xmlns='jabber:iq:last' seconds='7200'>gone\u{202e}fishing</query>");
        assert_eq!(read_answer(&p), Some((7200, "gonefishing".into())));
        let p = el("<query xmlns='jabber:iq:last' seconds='0'/>");
        assert_eq!(read_answer(&p), Some((0, String::new())));
    }

    #[test]
    fn anything_else_is_not_an_answer() {
        for xml in [
            "<query xmlns='jabber:iq:last'/>",
            "<query xmlns='jabber:iq:last' seconds='-5'/>",
            "<query xmlns='jabber:iq:last' seconds='soon'/>",
            "<query xmlns='jabber:iq:version' seconds='5'/>",
        ] {
            assert_eq!(read_answer(&el(xml)), None, "{xml}");
        }
    }
}
