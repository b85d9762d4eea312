//! Devices and clocks of contacts' resources, the session's part: XEP-0115 capabilities
//! asked for (disco#info to `node#ver`, one query per `ver`, see `caps`), verified, cached
//! on disk and told to the app; XEP-0202 entity time asked of one resource (`/status get`,
//! the detail view), and once per run of each resource whose caps list `urn:xmpp:time`
//! (bounded). Both answers count only from the full JID asked (the tracker checks).

use jid::{BareJid, FullJid, Jid};
use xmpp_parsers::iq::Iq;
use xmpp_parsers::minidom::Element;
use xmpp_parsers::ns;
use xmpp_parsers::stanza::Stanza;

use crate::event::SessionEvent;
use crate::sanitize::{sanitize, MAX_NAME};

use super::caps::{Offer, Outcome, Step};
use super::requests::RequestKind;
use super::Session;

/// The UTC offset in a XEP-0202 answer (`Z` accepted: slixmpp sends it on UTC hosts).
pub fn read_time(payload: &Element) -> Option<i32> {
    if !payload.is("time", ns::TIME) {
        return None;
    }
    let tzo = payload.get_child("tzo", ns::TIME)?.text();
    crate::domain::device::parse_offset(&tzo)
}

/// Resources asked for their time on their own (their caps say they answer), per run: the
/// first this many; others are asked when their detail view opens.
pub const MAX_TIMED: usize = 256;

impl Session {
    /// A presence advertised `offer`: tell the app what it is, or ask.
    pub(super) async fn on_caps_offer(&mut self, offer: Offer) -> bool {
        let (from, ver) = (offer.from.clone(), offer.ver.clone());
        let keep = self.resolve_caps(offer).await;
        self.time_once(from, &ver).await && keep
    }

    /// What `offer`'s verification string stands for: told to the app when known, asked
    /// of the one who advertised it when not.
    pub(super) async fn resolve_caps(&mut self, offer: Offer) -> bool {
        match self.caps.offer(offer) {
            Step::Announce(ver, client) => self.emit(SessionEvent::Client { ver, client }).await,
            Step::Ask(offer) => {
                self.ask_caps(offer).await;
                true
            }
            Step::Nothing => true,
        }
    }

    /// Asks `of` for its time once per run, if its verified caps (`ver`) say it answers
    /// (bounded by [`MAX_TIMED`]): the roster can then say when it is night for it.
    async fn time_once(&mut self, of: FullJid, ver: &str) -> bool {
        let answers = self.caps.get(ver).is_some_and(|c| c.has(ns::TIME));
        // Not a room occupant (asked for its caps only: its clock is none of our business).
        let occupant = self.rooms.get(&of.to_bare()).is_some();
        if !answers || occupant || of.to_bare() == self.own || self.timed.len() >= MAX_TIMED {
            return true;
        }
        if !self.timed.insert(of.clone()) {
            return true;
        }
        let resource = of.resource().as_str().to_owned();
        self.query_time(of.to_bare(), resource).await
    }

    async fn ask_caps(&mut self, offer: Offer) {
        let kind = RequestKind::Caps {
            ver: offer.ver.clone(),
            hash: offer.hash.clone(),
            of: offer.from.clone(),
        };
        let id = self.requests.track(kind, tokio::time::Instant::now());
        let query = xmpp_parsers::disco::DiscoInfoQuery {
            node: Some(offer.query_node()),
        };
        let iq = Iq::Get {
            from: None,
            to: Some(Jid::from(offer.from)),
            id,
            payload: query.into(),
        };
        self.send(Stanza::Iq(iq)).await;
    }

    /// `of` answered (or not: `stanza` None) the disco#info query for `ver`.
    pub(super) async fn on_caps_answer(
        &mut self,
        (ver, hash, of): (String, String, FullJid),
        stanza: Option<&Stanza>,
        error: Option<String>,
    ) -> bool {
        let query = match (stanza, error) {
            (_, Some(error)) => Err(format!("it answered with an error: {error}")),
            (
                Some(Stanza::Iq(Iq::Result {
                    payload: Some(p), ..
                })),
                None,
            ) => Ok(p),
            (Some(_), None) => Err("it sent an empty answer".into()),
            (None, None) => return self.on_caps_silence(&ver, &of).await,
        };
        match self.caps.answer(&ver, &hash, &of, query) {
            Outcome::Verified(caps) => {
                if let Some(history) = &self.history {
                    history.send(crate::history::Write::Caps {
                        ver: ver.clone(),
                        caps: caps.clone(),
                    });
                }
                let keep = match caps.client() {
                    Some(client) => {
                        let ver = ver.clone();
                        self.emit(SessionEvent::Client { ver, client }).await
                    }
                    None => true,
                };
                self.time_once(of, &ver).await && keep
            }
            Outcome::Refused { reason, next } => {
                tracing::warn!(
                    from = %sanitize(of.as_str(), MAX_NAME),
                    "capabilities {} not used: {}",
                    sanitize(&ver, 128),
                    sanitize(&reason, 300)
                );
                if let Some(next) = next {
                    self.ask_caps(next).await;
                }
                true
            }
        }
    }

    /// `of` did not answer the query for `ver` in time: asked again by a later presence
    /// (`caps::RETRY_AFTER`); the next resource waiting for `ver` is asked now.
    async fn on_caps_silence(&mut self, ver: &str, of: &FullJid) -> bool {
        tracing::info!(
            from = %sanitize(of.as_str(), MAX_NAME),
            "no answer in time to the capabilities query for {}",
            sanitize(ver, 128)
        );
        if let Some(next) = self.caps.silence(ver, of, tokio::time::Instant::now()) {
            self.ask_caps(next).await;
        }
        true
    }

    /// `Command::QueryTime`.
    pub(super) async fn query_time(&mut self, jid: BareJid, resource: String) -> bool {
        let payload = Element::builder("time", ns::TIME).build();
        self.ask_resource(&jid, &resource, |of| RequestKind::Time { of }, payload)
            .await
    }

    /// The answer to a time query (`stanza` None: none in time).
    pub(super) async fn on_time_answer(
        &mut self,
        of: FullJid,
        stanza: Option<&Stanza>,
        error: Option<String>,
    ) -> bool {
        let result = answer(stanza, error, ("its time", "a time"), read_time);
        let (from, resource) = (of.to_bare(), sanitize(of.resource().as_str(), MAX_NAME));
        self.emit(SessionEvent::EntityTime {
            from,
            resource,
            result,
        })
        .await
    }

    /// `Command::QueryVersion`.
    pub(super) async fn query_version(&mut self, jid: BareJid, resource: String) -> bool {
        let payload = Element::builder("query", ns::VERSION).build();
        self.ask_resource(&jid, &resource, |of| RequestKind::Version { of }, payload)
            .await
    }

    /// The answer to a version query (`stanza` None: none in time).
    pub(super) async fn on_version_answer(
        &mut self,
        of: FullJid,
        stanza: Option<&Stanza>,
        error: Option<String>,
    ) -> bool {
        let result = answer(stanza, error, ("its software", "a version"), read_version);
        let (from, resource) = (of.to_bare(), sanitize(of.resource().as_str(), MAX_NAME));
        self.emit(SessionEvent::SoftwareVersion {
            from,
            resource,
            result,
        })
        .await
    }

    /// An IQ get with `payload` to exactly `jid/resource` (only it may answer: `kind`
    /// names it), when online.
    async fn ask_resource(
        &mut self,
        jid: &BareJid,
        resource: &str,
        kind: impl FnOnce(FullJid) -> RequestKind,
        payload: Element,
    ) -> bool {
        let Ok(of) = jid::FullJid::new(&format!("{jid}/{resource}")) else {
            return true;
        };
        if !self.online {
            return true;
        }
        let id = self
            .requests
            .track(kind(of.clone()), tokio::time::Instant::now());
        let iq = Iq::Get {
            from: None,
            to: Some(Jid::from(of)),
            id,
            payload,
        };
        self.send(Stanza::Iq(iq)).await;
        true
    }
}

/// What an answer to a query about `what.0` ("its time") says, read by `read`, or why
/// there is nothing (`what.1`, "a time", names what could not be read).
fn answer<T>(
    stanza: Option<&Stanza>,
    error: Option<String>,
    what: (&str, &str),
    read: impl Fn(&Element) -> Option<T>,
) -> Result<T, String> {
    let (said, thing) = what;
    match (stanza, error) {
        (_, Some(error)) => Err(format!("did not say {said}: {error}")),
        (
            Some(Stanza::Iq(Iq::Result {
                payload: Some(p), ..
            })),
            None,
        ) => read(p).ok_or_else(|| format!("sent {thing} rosterm cannot read")),
        (Some(_), None) => Err("sent an empty answer".into()),
        (None, None) => Err(format!("did not say {said} in time")),
    }
}

/// A XEP-0092 answer as one phrase: "name version (os)", sanitized.
pub fn read_version(payload: &Element) -> Option<String> {
    let v = xmpp_parsers::version::VersionResult::try_from(payload.clone()).ok()?;
    let mut text = format!("{} {}", v.name.trim(), v.version.trim());
    if let Some(os) = v.os.as_deref().map(str::trim).filter(|os| !os.is_empty()) {
        text.push_str(&format!(" ({os})"));
    }
    let text = sanitize(text.trim(), MAX_NAME);
    (!text.is_empty()).then_some(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn el(xml: &str) -> Element {
        xml.parse().expect("test XML")
    }

    #[test]
    fn a_version_answer_is_one_sanitized_phrase() {
        let v = |inner: &str| el(&format!("<query xmlns='jabber:iq:version'>{inner}</query>"));
        assert_eq!(
            read_version(&v(
                "<name>Conversations</name><version>2.17</version><os>Android 14</os>"
            )),
            Some("Conversations 2.17 (Android 14)".into())
        );
        assert_eq!(
            read_version(&v("<name>Gajim\u{202e}</name><version>1.9</version>")),
            Some("Gajim 1.9".into())
        );
        assert_eq!(read_version(&v("<name>x</name>")), None, "no version");
        assert_eq!(read_version(&el("<time xmlns='urn:xmpp:time'/>")), None);
    }

    #[test]
    fn a_time_answer_gives_its_offset_z_included() {
        let t = |tzo: &str| {
            el(&format!(
                "<time xmlns='urn:xmpp:time'><tzo>{tzo}</tzo><utc>2026-12-03T22:40:00Z</utc></time>"
            ))
        };
        assert_eq!(read_time(&t("Z")), Some(0), "slixmpp on a UTC host");
        assert_eq!(read_time(&t("+01:00")), Some(3600));
        assert_eq!(read_time(&t("-06:00")), Some(-6 * 3600));
        assert_eq!(read_time(&t("soon")), None);
        assert_eq!(read_time(&el("<time xmlns='urn:xmpp:time'/>")), None);
        assert_eq!(
            read_time(&el("<query xmlns='jabber:iq:last' seconds='5'/>")),
            None
        );
    }
}
