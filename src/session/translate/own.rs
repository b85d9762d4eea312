//! What rosterm says about itself when asked: its disco#info (XEP-0030; its XEP-0115 caps
//! `ver` is computed from it), its time (XEP-0202) and its software (XEP-0092).

use jid::Jid;
use xmpp_parsers::disco::{DiscoInfoResult, Identity};
use xmpp_parsers::minidom::Element;
use xmpp_parsers::ns;
use xmpp_parsers::stanza::Stanza;
use xmpp_parsers::stanza_error::{DefinedCondition, ErrorType};

use super::{error_reply, result};

/// XEP-0163 §4.4: the server sends the own account's bookmark changes (made by another
/// client) as events; the session fetches the list again on each.
const BOOKMARKS_NOTIFY: &str = "urn:xmpp:bookmarks:1+notify";

/// rosterm's own disco#info (XEP-0030): what its caps `ver` is computed from.
pub fn own_disco() -> DiscoInfoResult {
    DiscoInfoResult {
        node: None,
        identities: vec![Identity {
            category: "client".into(),
            type_: "console".into(),
            lang: None,
            name: Some("rosterm".into()),
        }],
        features: [
            ns::CAPS,
            ns::DISCO_INFO,
            ns::PING,
            ns::TIME,
            ns::VERSION,
            crate::session::stanza::LAST_ACTIVITY,
            BOOKMARKS_NOTIFY,
        ]
        .into_iter()
        .map(String::from)
        .collect(),
        extensions: Vec::new(),
    }
}

/// The answer to a disco#info query: for no node, or for the node rosterm's caps name
/// (`NODE#ver`, XEP-0115 §6.2: the answer carries that node); anything else is not found.
pub(super) fn disco_answer(from: Option<Jid>, id: String, payload: &Element) -> Stanza {
    let node = payload.attr("node");
    let ours = format!(
        "{}#{}",
        crate::session::caps::NODE,
        crate::session::caps::own_ver()
    );
    match node {
        None => result(from, id, Some(own_disco().into())),
        Some(node) if node == ours => {
            let mut disco = own_disco();
            disco.node = Some(ours);
            result(from, id, Some(disco.into()))
        }
        Some(_) => error_reply(from, id, ErrorType::Cancel, DefinedCondition::ItemNotFound),
    }
}

/// XEP-0092: rosterm and its version; never the operating system.
pub(super) fn version_answer(from: Option<Jid>, id: String) -> Stanza {
    let version = xmpp_parsers::version::VersionResult {
        name: "rosterm".into(),
        version: env!("CARGO_PKG_VERSION").into(),
        os: None,
    };
    result(from, id, Some(version.into()))
}

/// XEP-0202: the time, always as UTC with the offset written `+00:00` (never `Z`, which
/// some readers refuse in `<tzo>`).
pub(super) fn time_answer(from: Option<Jid>, id: String, now: std::time::SystemTime) -> Stanza {
    let time = Element::builder("time", ns::TIME)
        .append(Element::builder("tzo", ns::TIME).append("+00:00"))
        .append(Element::builder("utc", ns::TIME).append(crate::session::muc::build::xep0082(now)))
        .build();
    result(from, id, Some(time))
}
