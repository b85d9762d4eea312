//! XEP-0077 for the logged-in account: changing its password (§3.3) and deleting it (§3.2),
//! asked of the account's server, answered through the tracker (`requests`). And the one
//! place that keeps the new password out of the XML console: [`redacted`].
//!
//! After a password change the reconnect task logs in with the new password. After the
//! account is deleted the server ends the stream (Prosody: `not-authorized`, "Account
//! deleted", right after the answer); the session ends too instead of trying to log in.

use xmpp_parsers::iq::Iq;
use xmpp_parsers::minidom::Element;
use xmpp_parsers::ns;
use xmpp_parsers::stanza::Stanza;

use crate::config::Secret;
use crate::event::SessionEvent;
use crate::register::sentence::{refusal, Asked};

use super::requests::RequestKind;
use super::{Session, REQUEST_TIMEOUT};

/// What the console shows instead of a password.
pub const REDACTED: &str = "(redacted)";

/// `<iq type='set' to='domain'><query xmlns='jabber:iq:register'>…</query></iq>`.
fn register_set(id: &str, to: Option<jid::Jid>, children: Vec<Element>) -> Iq {
    let query = Element::builder("query", ns::REGISTER)
        .append_all(children)
        .build();
    Iq::Set {
        from: None,
        to,
        id: id.to_owned(),
        payload: query,
    }
}

fn child(name: &str, text: &str) -> Element {
    Element::builder(name, ns::REGISTER).append(text).build()
}

/// XEP-0077 §3.3: the username and the new password.
pub fn build_password_change(id: &str, own: &jid::BareJid, password: &Secret) -> Iq {
    let username = own.node().map(|n| n.as_str()).unwrap_or_default();
    let children = vec![
        child("username", username),
        child("password", password.expose()),
    ];
    register_set(id, crate::register::server_jid(own), children)
}

/// XEP-0077 §3.2: `<remove/>`.
pub fn build_unregister(id: &str, own: &jid::BareJid) -> Iq {
    let children = vec![Element::builder("remove", ns::REGISTER).build()];
    register_set(id, crate::register::server_jid(own), children)
}

/// What the XML console must show instead of `stanza`, if anything: a copy of a
/// `jabber:iq:register` query (also inside an error that quotes it) with every `<password>`
/// and data-form password value replaced. None: show it as it is.
pub fn redacted(stanza: &Stanza) -> Option<Stanza> {
    let Stanza::Iq(iq) = stanza else {
        return None;
    };
    if !super::console::payload(iq).is_some_and(|p| p.is("query", ns::REGISTER)) {
        return None;
    }
    let mut iq = iq.clone();
    if let Some(query) = super::console::payload_mut(&mut iq) {
        redact_query(query);
    }
    Some(Stanza::Iq(iq))
}

fn redact_query(query: &mut Element) {
    for c in query.children_mut() {
        if c.is("password", ns::REGISTER) {
            replace_text(c);
        } else if c.is("x", ns::DATA_FORMS) {
            let fields = c.children_mut().filter(|f| f.is("field", ns::DATA_FORMS));
            for f in fields.filter(|f| {
                f.attr("type") == Some("text-private") || f.attr("var") == Some("password")
            }) {
                for v in f.children_mut().filter(|v| v.is("value", ns::DATA_FORMS)) {
                    replace_text(v);
                }
            }
        }
    }
}

fn replace_text(el: &mut Element) {
    let _ = el.take_nodes();
    el.append_text(REDACTED);
}

/// The condition and text of an IQ error, for a sentence.
fn error_of(stanza: &Stanza) -> (String, Option<String>) {
    match stanza {
        Stanza::Iq(Iq::Error { error, .. }) => (
            crate::register::condition_name(&error.defined_condition),
            error
                .texts
                .get("")
                .or_else(|| error.texts.values().next())
                .cloned(),
        ),
        _ => ("undefined-condition".into(), None),
    }
}

impl Session {
    /// `/password`: asks the server; the answer comes to [`Session::on_password_answer`].
    pub(super) async fn change_password(&mut self, new: Secret) -> bool {
        if !self.online {
            let text = "Not connected: the password was not changed.".to_owned();
            return self.emit(SessionEvent::Notice(text)).await;
        }
        let iq = build_password_change("", &self.own, &new);
        let id = self
            .requests
            .track(RequestKind::Password { new }, tokio::time::Instant::now());
        self.send(Stanza::Iq(iq.with_id(id))).await;
        true
    }

    /// `/unregister`.
    pub(super) async fn unregister(&mut self) -> bool {
        if !self.online {
            let text = "Not connected: the account was not deleted.".to_owned();
            return self.emit(SessionEvent::Notice(text)).await;
        }
        let id = self
            .requests
            .track(RequestKind::Unregister, tokio::time::Instant::now());
        self.send(Stanza::Iq(build_unregister(&id, &self.own)))
            .await;
        true
    }

    /// The server answered the password change: from now on, logins use the new one.
    pub(super) async fn on_password_answer(&mut self, new: Secret, stanza: &Stanza) -> bool {
        if let Stanza::Iq(Iq::Error { .. }) = stanza {
            let (condition, text) = error_of(stanza);
            let sentence = refusal(Asked::Password, &condition, text.as_deref(), &self.own);
            return self.emit(SessionEvent::Notice(sentence)).await;
        }
        match self.password.lock() {
            Ok(mut p) => *p = new,
            Err(poisoned) => *poisoned.into_inner() = new,
        }
        tracing::info!("password changed on the server");
        self.emit(SessionEvent::PasswordChanged).await
    }

    /// The server answered the removal: on success the session ends (returns false).
    pub(super) async fn on_unregister_answer(&mut self, stanza: &Stanza) -> bool {
        if let Stanza::Iq(Iq::Error { .. }) = stanza {
            let (condition, text) = error_of(stanza);
            let sentence = refusal(Asked::Remove, &condition, text.as_deref(), &self.own);
            return self.emit(SessionEvent::Notice(sentence)).await;
        }
        tracing::info!("account deleted on the server");
        // Nothing more to say to a server that no longer knows the account.
        self.online = false;
        let _ = self.emit(SessionEvent::AccountRemoved).await;
        false
    }

    /// No answer in time: the user is told what may or may not have happened.
    pub(super) async fn on_account_admin_timeout(&mut self, kind: &RequestKind) -> bool {
        let what = match kind {
            RequestKind::Unregister => "to delete the account; it may still exist",
            _ => "to change the password; the old one may still be the valid one",
        };
        let text = format!(
            "The server did not answer within {} s {what}.",
            REQUEST_TIMEOUT.as_secs()
        );
        self.emit(SessionEvent::Notice(text)).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn own() -> jid::BareJid {
        jid::BareJid::new("juliet@example.com").unwrap()
    }

    fn xml(stanza: &Stanza) -> String {
        String::from_utf8(xso::to_vec(stanza).unwrap()).unwrap()
    }

    #[test]
    fn the_password_change_is_xep_0077s_and_the_console_never_sees_the_password() {
        let iq = build_password_change(
            "rosterm-password-1",
            &own(),
            &Secret::new("n3w-s3cret".into()),
        );
        let sent = Stanza::Iq(iq);
        let wire = xml(&sent);
        assert!(wire.contains("to='example.com'"), "{wire}");
        assert!(
            wire.contains("<username>juliet</username><password>n3w-s3cret</password>"),
            "{wire}"
        );
        let shown = xml(&redacted(&sent).unwrap());
        assert!(!shown.contains("n3w-s3cret"), "{shown}");
        assert!(shown.contains("<password>(redacted)</password>"), "{shown}");
        assert!(
            shown.contains("<username>juliet</username>"),
            "the rest stays: {shown}"
        );
    }

    #[test]
    fn an_error_quoting_the_query_and_a_data_form_are_redacted_too() {
        let error: Element = "<iq xmlns='jabber:client' type='error' id='x'><query xmlns='jabber:iq:register'><username>juliet</username><password>n3w-s3cret</password></query><error type='modify'><bad-request xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></iq>".parse().unwrap();
        let error = Stanza::Iq(Iq::try_from(error).unwrap());
        assert!(!xml(&redacted(&error).unwrap()).contains("n3w-s3cret"));
        let form: Element = "<iq xmlns='jabber:client' type='set' id='y'><query xmlns='jabber:iq:register'><x xmlns='jabber:x:data' type='submit'><field var='FORM_TYPE'><value>jabber:iq:register:changepassword</value></field><field var='password'><value>n3w-s3cret</value></field><field var='old_password' type='text-private'><value>0ld</value></field></x></query></iq>".parse().unwrap();
        let form = Stanza::Iq(Iq::try_from(form).unwrap());
        let shown = xml(&redacted(&form).unwrap());
        assert!(
            !shown.contains("n3w-s3cret") && !shown.contains(">0ld<"),
            "{shown}"
        );
        assert!(
            shown.contains("jabber:iq:register:changepassword"),
            "{shown}"
        );
        // Anything else is left as it is.
        let other = Stanza::Iq(build_unregister("z", &own()));
        assert!(redacted(&other).is_some(), "a register query is copied");
        let roster: Element =
            "<iq xmlns='jabber:client' type='get' id='r'><query xmlns='jabber:iq:roster'/></iq>"
                .parse()
                .unwrap();
        let roster = Stanza::Iq(Iq::try_from(roster).unwrap());
        assert!(redacted(&roster).is_none());
        assert!(xml(&other).contains("<remove></remove>"), "{}", xml(&other));
    }
}
