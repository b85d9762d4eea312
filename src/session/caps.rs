//! XEP-0115 entity capabilities, the pure part: reading a presence's `<c/>`, checking a
//! disco#info answer against the verification string it was asked for (§5.1 and §5.4),
//! rosterm's own `ver`, and [`Book`]: which `ver`s are known, which are being asked, who
//! waits for them.
//!
//! A `ver` is cached (here and on disk) only once the hash of the answer matches it: a
//! contact that answers with something else cannot make rosterm believe anything about
//! the others that advertise the same `ver`. Such an answer is logged and not used at all;
//! the next resource that advertised the `ver` is asked instead. One query per `ver` is in
//! flight however many presences carry it. A resource that does not answer in time is not
//! refused: it may be asked again by a later presence, after [`RETRY_AFTER`] times the
//! number of its silences, and is given up on after [`MAX_SILENCES`].

use std::collections::{HashMap, HashSet, VecDeque};
use std::str::FromStr;
use std::time::Duration;

use tokio::time::Instant;

use base64::Engine;
use jid::FullJid;
use xmpp_parsers::caps::{compute_disco, hash_caps};
use xmpp_parsers::disco::DiscoInfoResult;
use xmpp_parsers::hashes::Algo;
use xmpp_parsers::minidom::Element;
use xmpp_parsers::ns;

use crate::domain::device::{Capabilities, Client};
use crate::sanitize::{sanitize, MAX_NAME};

/// The node rosterm advertises (XEP-0115 §4: a URI for the software).
pub const NODE: &str = "https://rosterm.invalid/caps";

/// The longest `ver` read (a SHA-512 is 88 characters of base64).
pub const MAX_VER: usize = 128;
/// At most this many distinct `ver`s asked at once, and resources waiting on each.
const MAX_ASKING: usize = 64;
const MAX_WAITING: usize = 8;
/// At most this many features kept of one entity.
const MAX_FEATURES: usize = 256;
/// Remembered refusals (ver, resource) before the memory is cleared.
const MAX_REFUSED: usize = 4096;
/// A resource that did not answer is asked again no sooner than this after its first
/// silence, twice this after its second.
pub const RETRY_AFTER: Duration = Duration::from_secs(300);
/// Silences after which a resource is no longer asked for that `ver` in this run.
pub const MAX_SILENCES: u32 = 3;

/// A `<c/>` as a presence from `from` carried it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Offer {
    pub from: FullJid,
    pub node: String,
    pub ver: String,
    pub hash: String,
}

impl Offer {
    /// The disco#info node to ask (`node#ver`).
    pub fn query_node(&self) -> String {
        format!("{}#{}", self.node, self.ver)
    }
}

/// The `<c/>` among a presence's payloads, if it has the attributes §4 requires (the legacy
/// form without `hash` cannot be checked and is ignored).
pub fn read_offer(payloads: &[Element], from: &FullJid) -> Option<Offer> {
    let c = payloads.iter().find(|e| e.is("c", ns::CAPS))?;
    let (node, ver, hash) = (c.attr("node")?, c.attr("ver")?, c.attr("hash")?);
    if ver.is_empty() || ver.len() > MAX_VER || node.len() > 1024 || hash.len() > 32 {
        return None;
    }
    Some(Offer {
        from: from.clone(),
        node: node.to_owned(),
        ver: ver.to_owned(),
        hash: hash.to_owned(),
    })
}

/// The verification string of `disco` with `algo` (§5.1), base64.
pub fn ver_of(disco: &DiscoInfoResult, algo: Algo) -> Option<String> {
    let hash = hash_caps(&compute_disco(disco), algo).ok()?;
    Some(base64::engine::general_purpose::STANDARD.encode(hash.hash))
}

/// Checks a disco#info answer (`query`) against the `ver` and hash it was asked for.
/// Refused (§5.4): an answer that does not parse, duplicate identities or features, an
/// unknown hash, a hash that does not match.
pub fn verify(query: &Element, ver: &str, hash: &str) -> Result<Capabilities, String> {
    let algo = Algo::from_str(hash).map_err(|_| format!("the hash {hash:?} is not one"))?;
    if matches!(algo, Algo::Unknown(_)) {
        return Err(format!("the hash {hash:?} is not one rosterm knows"));
    }
    let features = query
        .children()
        .filter(|c| c.is("feature", ns::DISCO_INFO))
        .count();
    let disco = DiscoInfoResult::try_from(query.clone())
        .map_err(|e| format!("the answer does not parse: {e}"))?;
    if disco.features.len() != features {
        return Err("the answer lists a feature twice".into());
    }
    let mut ids: Vec<_> = disco
        .identities
        .iter()
        .map(|i| (&i.category, &i.type_, &i.lang, &i.name))
        .collect();
    ids.sort();
    ids.dedup();
    if ids.len() != disco.identities.len() {
        return Err("the answer lists an identity twice".into());
    }
    match ver_of(&disco, algo) {
        Some(computed) if computed == ver => Ok(capabilities(&disco)),
        Some(computed) => Err(format!("its hash is {computed}, not {ver}")),
        None => Err("the hash cannot be computed".into()),
    }
}

fn capabilities(disco: &DiscoInfoResult) -> Capabilities {
    Capabilities {
        identities: disco
            .identities
            .iter()
            .map(|i| {
                (
                    sanitize(&i.category, MAX_NAME),
                    sanitize(&i.type_, MAX_NAME),
                    i.name.as_deref().map(|n| sanitize(n, MAX_NAME)),
                )
            })
            .collect(),
        features: disco
            .features
            .iter()
            .take(MAX_FEATURES)
            .map(|f| sanitize(f, 300))
            .collect(),
    }
}

/// The `<c/>` rosterm's own presence carries.
pub fn own_caps() -> Option<xmpp_parsers::caps::Caps> {
    let disco = crate::session::translate::own_disco();
    let hash = hash_caps(&compute_disco(&disco), Algo::Sha_1).ok()?;
    Some(xmpp_parsers::caps::Caps::new(NODE, hash))
}

/// rosterm's own verification string (SHA-1 of its disco#info).
pub fn own_ver() -> String {
    let disco = crate::session::translate::own_disco();
    ver_of(&disco, Algo::Sha_1).unwrap_or_default()
}

/// What to do about an offer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// A `ver` known already, seen for the first time in this run: tell the app.
    Announce(String, Client),
    /// Ask this resource for `node#ver`.
    Ask(Offer),
    /// Nothing (known and announced, asked already, or not worth asking).
    Nothing,
}

/// What an answer (or its absence) means.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Verified: cache it, tell the app.
    Verified(Capabilities),
    /// Not used; `next` is the resource to ask instead, if one waits.
    Refused { reason: String, next: Option<Offer> },
}

#[derive(Debug)]
struct Asking {
    asked: FullJid,
    waiting: VecDeque<Offer>,
}

/// The capabilities known and asked for (see the module comment).
#[derive(Debug, Default)]
pub struct Book {
    known: HashMap<String, Capabilities>,
    announced: HashSet<String>,
    asking: HashMap<String, Asking>,
    refused: HashSet<(String, FullJid)>,
    /// Resources that did not answer: when last, how often.
    silent: HashMap<(String, FullJid), (Instant, u32)>,
}

impl Book {
    /// A book that knows `cached` (from disk) already.
    pub fn new(cached: Vec<(String, Capabilities)>) -> Book {
        Book {
            known: cached.into_iter().collect(),
            ..Book::default()
        }
    }

    pub fn get(&self, ver: &str) -> Option<&Capabilities> {
        self.known.get(ver)
    }

    /// A presence carried `offer`.
    pub fn offer(&mut self, offer: Offer) -> Step {
        self.offer_at(offer, Instant::now())
    }

    /// The same, at `now`.
    pub fn offer_at(&mut self, offer: Offer, now: Instant) -> Step {
        if let Some(caps) = self.known.get(&offer.ver) {
            if self.announced.contains(&offer.ver) {
                return Step::Nothing;
            }
            let Some(client) = caps.client() else {
                return Step::Nothing;
            };
            self.announced.insert(offer.ver.clone());
            return Step::Announce(offer.ver, client);
        }
        let key = (offer.ver.clone(), offer.from.clone());
        if self.refused.contains(&key) || self.still_silent(&key, now) {
            return Step::Nothing;
        }
        if let Some(asking) = self.asking.get_mut(&offer.ver) {
            let waits = asking.waiting.iter().any(|w| w.from == offer.from);
            if asking.asked != offer.from && !waits && asking.waiting.len() < MAX_WAITING {
                asking.waiting.push_back(offer);
            }
            return Step::Nothing;
        }
        let known_hash = Algo::from_str(&offer.hash).is_ok_and(|a| !matches!(a, Algo::Unknown(_)));
        if !known_hash || self.asking.len() >= MAX_ASKING {
            return Step::Nothing;
        }
        let asking = Asking {
            asked: offer.from.clone(),
            waiting: VecDeque::new(),
        };
        self.asking.insert(offer.ver.clone(), asking);
        Step::Ask(offer)
    }

    /// `from` answered the query for `ver` with `query` (`Err`: an error, or no answer in
    /// time), checked with `hash`.
    pub fn answer(
        &mut self,
        ver: &str,
        hash: &str,
        from: &FullJid,
        query: Result<&Element, String>,
    ) -> Outcome {
        match query.and_then(|q| verify(q, ver, hash)) {
            Ok(caps) => {
                self.asking.remove(ver);
                self.known.insert(ver.to_owned(), caps.clone());
                self.announced.insert(ver.to_owned());
                Outcome::Verified(caps)
            }
            Err(reason) => {
                if self.refused.len() >= MAX_REFUSED {
                    self.refused.clear();
                }
                self.refused.insert((ver.to_owned(), from.clone()));
                let next = self.next_to_ask(ver);
                Outcome::Refused { reason, next }
            }
        }
    }

    /// `from` did not answer the query for `ver` in time (at `now`): it is not refused, but
    /// not asked again for a while (see the module comment); the next resource waiting is
    /// asked instead, if one waits.
    pub fn silence(&mut self, ver: &str, from: &FullJid, now: Instant) -> Option<Offer> {
        if self.silent.len() >= MAX_REFUSED {
            self.silent.clear();
        }
        let entry = self.silent.entry((ver.to_owned(), from.clone()));
        let (at, n) = entry.or_insert((now, 0));
        *at = now;
        *n += 1;
        self.next_to_ask(ver)
    }

    fn still_silent(&self, key: &(String, FullJid), now: Instant) -> bool {
        self.silent
            .get(key)
            .is_some_and(|(at, n)| *n >= MAX_SILENCES || now < *at + RETRY_AFTER * *n)
    }

    /// The next resource waiting for `ver`, now the one asked (or none: `ver` is no longer
    /// being asked).
    fn next_to_ask(&mut self, ver: &str) -> Option<Offer> {
        let asking = self.asking.get_mut(ver)?;
        match asking.waiting.pop_front() {
            Some(next) => {
                asking.asked = next.from.clone();
                Some(next)
            }
            None => {
                self.asking.remove(ver);
                None
            }
        }
    }
}

#[cfg(test)]
#[path = "caps_tests.rs"]
mod tests;
