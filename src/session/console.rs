//! What the XML console shows of a stanza: the stanza as the session met it, with any
//! password redacted (`account_admin::redacted`) and the roster items the sieve read itself
//! put back where its `<parked/>` marker stands (`sieve::lane`), so the console shows what
//! the server sent, not rosterm's plumbing. It runs only while the console records.

use xmpp_parsers::iq::Iq;
use xmpp_parsers::minidom::Element;
use xmpp_parsers::ns;
use xmpp_parsers::stanza::Stanza;

use super::account_admin;
use super::sieve::{FastLane, NS as SIEVE_NS};

/// Most parked items written back per marker: the console keeps 4,000 characters of a
/// stanza (`store::console`), which a hundred items already pass.
const MAX_ITEMS: usize = 100;

/// The stanza as the console writes it out.
pub fn text(stanza: &Stanza, lane: &FastLane) -> String {
    let shown = account_admin::redacted(stanza).or_else(|| unparked(stanza, lane));
    match xso::to_vec(shown.as_ref().unwrap_or(stanza)) {
        Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
        Err(e) => format!("(could not be written out: {e})"),
    }
}

pub fn payload(iq: &Iq) -> Option<&Element> {
    match iq {
        Iq::Get { payload, .. } | Iq::Set { payload, .. } => Some(payload),
        Iq::Result { payload, .. } | Iq::Error { payload, .. } => payload.as_ref(),
    }
}

pub fn payload_mut(iq: &mut Iq) -> Option<&mut Element> {
    match iq {
        Iq::Get { payload, .. } | Iq::Set { payload, .. } => Some(payload),
        Iq::Result { payload, .. } | Iq::Error { payload, .. } => payload.as_mut(),
    }
}

/// A roster query holding parked markers, with the items they stand for (a copy: the
/// session takes the items later); None for every other stanza.
fn unparked(stanza: &Stanza, lane: &FastLane) -> Option<Stanza> {
    let Stanza::Iq(iq) = stanza else {
        return None;
    };
    let query = payload(iq).filter(|q| q.is("query", ns::ROSTER))?;
    if !query.children().any(|c| c.is("parked", SIEVE_NS)) {
        return None;
    }
    let mut iq = iq.clone();
    let query = payload_mut(&mut iq)?;
    let children: Vec<Element> = query.take_contents_as_children().collect();
    for child in children {
        if !child.is("parked", SIEVE_NS) {
            query.append_child(child);
            continue;
        }
        let items = child.attr("n").and_then(|n| lane.peek_items(n, MAX_ITEMS));
        match items {
            Some(items) => items.into_iter().for_each(|i| {
                query.append_child(Element::from(i));
            }),
            None => {
                query.append_child(child);
            }
        }
    }
    Some(Stanza::Iq(iq))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parked_roster_items_are_shown_as_the_server_sent_them() {
        let lane = FastLane::default();
        let items: Vec<_> = ["bob@x", "carol@x"]
            .iter()
            .map(|j| {
                let xml = format!("<item xmlns='jabber:iq:roster' jid='{j}' name='N'/>");
                xmpp_parsers::roster::Item::try_from(xml.parse::<Element>().unwrap()).unwrap()
            })
            .collect();
        let marker = String::from_utf8(lane.park_items(items).unwrap()).unwrap();
        let xml = format!(
            "<iq xmlns='jabber:client' type='result' id='r1'><query xmlns='jabber:iq:roster' ver='7'>{marker}</query></iq>"
        );
        let stanza = Stanza::try_from(xml.parse::<Element>().unwrap()).unwrap();
        let shown = text(&stanza, &lane);
        assert!(!shown.contains("parked"), "{shown}");
        assert!(
            shown.contains("jid='bob@x'") || shown.contains("jid=\"bob@x\""),
            "{shown}"
        );
        assert!(
            shown.contains("carol@x") && shown.contains("ver="),
            "{shown}"
        );
        // The session still gets the items afterwards.
        let n = marker.split("n='").nth(1).unwrap().trim_end_matches("'/>");
        assert_eq!(lane.take_items(n).map(|i| i.len()), Some(2));
    }
}
