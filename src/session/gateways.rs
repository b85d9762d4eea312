//! Gateways (XEP-0100), see `domain::gateway` for the flow. After every new session the
//! server's items (disco#items) are asked what they are (disco#info, at most
//! [`MAX_ITEMS`]); once each has answered or timed out, the gateways among them go to the
//! app whole. `/register GATEWAY` asks the gateway for its form (XEP-0077) and sends the
//! filled one back (its password is redacted in the console by `account_admin::redacted`,
//! which covers every `jabber:iq:register` query). After a registration the gateway's
//! subscription request is approved here, and the user subscribes to it (§4.1.1).
//!
//! Every answer goes through the tracker: only the server answers for its items, only the
//! item asked for its identity, only the gateway for its form.

use std::collections::HashSet;

use jid::{BareJid, Jid};
use xmpp_parsers::iq::Iq;
use xmpp_parsers::minidom::Element;
use xmpp_parsers::ns;
use xmpp_parsers::presence::Type as PresenceType;
use xmpp_parsers::stanza::Stanza;

use crate::domain::gateway::{Gateway, MAX_NETWORK};
use crate::event::SessionEvent;
use crate::sanitize::{sanitize, MAX_NAME};

use super::requests::RequestKind;
use super::Session;

/// The most items of the server asked what they are, per session.
pub const MAX_ITEMS: usize = 64;

/// What the current session knows of the server's gateways.
#[derive(Debug, Default)]
pub struct Discovery {
    /// Items asked and not yet answered (or timed out).
    pending: usize,
    found: Vec<Gateway>,
    /// Gateways registered with in this run: their subscription requests are approved.
    registered: HashSet<BareJid>,
}

/// The domain-only JIDs among a disco#items answer (a gateway is a domain), in order,
/// without duplicates, at most [`MAX_ITEMS`]; an item whose JID does not parse costs only
/// itself.
pub fn read_items(payload: &Element) -> Vec<BareJid> {
    if !payload.is("query", ns::DISCO_ITEMS) {
        return Vec::new();
    }
    let mut items: Vec<BareJid> = Vec::new();
    let jids = payload
        .children()
        .filter(|c| c.is("item", ns::DISCO_ITEMS) && c.attr("node").is_none())
        .filter_map(|c| BareJid::new(c.attr("jid")?).ok())
        .filter(|j| j.node().is_none());
    for jid in jids {
        if items.len() == MAX_ITEMS {
            break;
        }
        if !items.contains(&jid) {
            items.push(jid);
        }
    }
    items
}

/// The gateway `of` is, from its disco#info answer: its first identity of category
/// `gateway`; None when it is something else.
pub fn read_info(of: &BareJid, payload: &Element) -> Option<Gateway> {
    if !payload.is("query", ns::DISCO_INFO) {
        return None;
    }
    let identity = payload
        .children()
        .find(|c| c.is("identity", ns::DISCO_INFO) && c.attr("category") == Some("gateway"))?;
    let network = sanitize(identity.attr("type").unwrap_or_default(), MAX_NETWORK);
    let registration = payload
        .children()
        .any(|c| c.is("feature", ns::DISCO_INFO) && c.attr("var") == Some(ns::REGISTER));
    Some(Gateway {
        jid: of.clone(),
        name: sanitize(identity.attr("name").unwrap_or_default(), MAX_NAME),
        network: if network.is_empty() {
            "gateway".into()
        } else {
            network
        },
        registration,
    })
}

fn get(to: &BareJid, id: String, payload: Element) -> Stanza {
    Stanza::Iq(Iq::Get {
        from: None,
        to: Some(Jid::from(to.clone())),
        id,
        payload,
    })
}

fn result_payload(stanza: &Stanza) -> Option<&Element> {
    match stanza {
        Stanza::Iq(Iq::Result {
            payload: Some(p), ..
        }) => Some(p),
        _ => None,
    }
}

impl Session {
    /// A new session: asks the server for its items (what was found before is forgotten).
    pub(super) async fn discover_gateways(&mut self) {
        self.requests.forget(|k| {
            matches!(
                k,
                RequestKind::GatewayItems | RequestKind::GatewayInfo { .. }
            )
        });
        self.gateways.pending = 0;
        self.gateways.found.clear();
        let id = self
            .requests
            .track(RequestKind::GatewayItems, tokio::time::Instant::now());
        let query = Element::builder("query", ns::DISCO_ITEMS).build();
        match BareJid::new(self.own.domain().as_str()) {
            Ok(server) => self.send(get(&server, id, query)).await,
            Err(_) => self.requests.forget(|k| *k == RequestKind::GatewayItems),
        }
    }

    /// The server's items (None: an error or no answer): each is asked what it is.
    pub(super) async fn on_gateway_items(&mut self, stanza: Option<&Stanza>) -> bool {
        let items = stanza
            .and_then(result_payload)
            .map(read_items)
            .unwrap_or_default();
        for item in items {
            let kind = RequestKind::GatewayInfo { of: item.clone() };
            let id = self.requests.track(kind, tokio::time::Instant::now());
            let query = Element::builder("query", ns::DISCO_INFO).build();
            self.send(get(&item, id, query)).await;
            self.gateways.pending += 1;
        }
        self.gateways_known().await
    }

    /// One item's identity (None: an error or no answer).
    pub(super) async fn on_gateway_info(&mut self, of: BareJid, stanza: Option<&Stanza>) -> bool {
        self.gateways.pending = self.gateways.pending.saturating_sub(1);
        if let Some(gateway) = stanza
            .and_then(result_payload)
            .and_then(|p| read_info(&of, p))
        {
            tracing::info!(gateway = %gateway.jid, network = %gateway.network, "gateway found");
            self.gateways.found.push(gateway);
        }
        self.gateways_known().await
    }

    /// Once no item is left to answer, the app gets the gateways.
    async fn gateways_known(&mut self) -> bool {
        if self.gateways.pending > 0 {
            return true;
        }
        let mut found = self.gateways.found.clone();
        found.sort_by(|a, b| a.jid.cmp(&b.jid));
        self.emit(SessionEvent::Gateways(found)).await
    }

    /// `/register GATEWAY`: asks for its form.
    pub(super) async fn ask_gateway_form(&mut self, gateway: BareJid) -> bool {
        if !self.online {
            let text = format!("Not connected: cannot register with {gateway}.");
            return self.emit(SessionEvent::Notice(text)).await;
        }
        let kind = RequestKind::GatewayForm {
            of: gateway.clone(),
        };
        let id = self.requests.track(kind, tokio::time::Instant::now());
        let query = Element::builder("query", ns::REGISTER).build();
        self.send(get(&gateway, id, query)).await;
        true
    }

    /// The gateway's form, or why there is none to fill.
    pub(super) async fn on_gateway_form(
        &mut self,
        gateway: BareJid,
        stanza: &Stanza,
        error: Option<String>,
    ) -> bool {
        let event = match (result_payload(stanza), error) {
            (_, Some(error)) => SessionEvent::Notice(format!(
                "{gateway} did not send its registration form: {error}."
            )),
            (Some(query), None) if query.is("query", ns::REGISTER) => {
                let form = crate::register::form::parse(query);
                match form.blocker(&gateway.to_string()) {
                    Some(why) => SessionEvent::Notice(why),
                    None => SessionEvent::GatewayForm { gateway, form },
                }
            }
            _ => SessionEvent::Notice(format!(
                "{gateway} sent no registration form (is it a gateway?)."
            )),
        };
        self.emit(event).await
    }

    /// Sends the filled form.
    pub(super) async fn register_with_gateway(
        &mut self,
        gateway: BareJid,
        form: crate::register::form::Form,
        typed: Vec<(String, crate::config::Secret)>,
    ) -> bool {
        let query = match form.submit_typed(&typed) {
            Ok(query) => query,
            Err(why) => return self.emit(SessionEvent::Notice(why)).await,
        };
        let kind = RequestKind::GatewaySubmit {
            of: gateway.clone(),
        };
        let id = self.requests.track(kind, tokio::time::Instant::now());
        let iq = Iq::Set {
            from: None,
            to: Some(Jid::from(gateway)),
            id,
            payload: query,
        };
        self.send(Stanza::Iq(iq)).await;
        true
    }

    /// The gateway's answer to the filled form: on success the user subscribes to it.
    pub(super) async fn on_gateway_registered(
        &mut self,
        gateway: BareJid,
        error: Option<String>,
    ) -> bool {
        if let Some(error) = error {
            let text = format!("{gateway} refused the registration: {error}.");
            return self.emit(SessionEvent::Notice(text)).await;
        }
        tracing::info!(%gateway, "registered with a gateway");
        self.gateways.registered.insert(gateway.clone());
        self.subscription(PresenceType::Subscribe, &gateway).await;
        self.emit(SessionEvent::GatewayRegistered(gateway)).await
    }

    /// A gateway the user registered with in this run asks to see the user's presence
    /// (XEP-0100 §4.1.1): approved at once, and the request is not shown.
    pub(super) async fn approve_gateway(&mut self, event: &SessionEvent) -> bool {
        let SessionEvent::SubscriptionRequest { from, .. } = event else {
            return false;
        };
        if !self.gateways.registered.contains(from) {
            return false;
        }
        let from = from.clone();
        self.subscription(PresenceType::Subscribed, &from).await;
        true
    }

    /// No answer in time to a gateway form or registration.
    pub(super) async fn on_gateway_timeout(&mut self, gateway: BareJid, submit: bool) -> bool {
        let what = match submit {
            true => "to the registration; it may or may not have been made",
            false => "with its registration form",
        };
        let text = format!(
            "{gateway} did not answer within {} s {what}.",
            super::REQUEST_TIMEOUT.as_secs()
        );
        self.emit(SessionEvent::Notice(text)).await
    }
}

#[cfg(test)]
#[path = "gateways_tests.rs"]
mod tests;
