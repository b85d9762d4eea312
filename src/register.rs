//! `rosterm register JID`: creating an account on its server before any login (XEP-0077
//! in-band registration), then the `[[account]]` table to paste into the config.
//!
//! Over rosterm's own connector (the same TLS rules as every account: TLS required and
//! verified, `--ca-file` adds a trust root) a stream is opened and **not** authenticated; the
//! server's form is asked for (`iq get`), shown (instructions, fields), filled from the user
//! (`ask`), submitted (`iq set`). Every way it can fail is one sentence (`sentence`).
//!
//! - `form`: the server's form -> prompts; `answer`: -> the `<query/>` submitted (pure).
//! - `sentence`: an IQ error -> one sentence, also for `/password` and `/unregister`.
//! - `ask`: prompts on the terminal (the password without echo) or lines of stdin.

pub mod answer;
pub mod ask;
pub mod form;
pub mod sentence;

use std::path::PathBuf;
use std::time::Duration;

use futures::{SinkExt, StreamExt};
use jid::{BareJid, Jid};
use tokio_xmpp::connect::ServerConnector;
use tokio_xmpp::xmlstream::{ReadError, XmppStreamElement};
use xmpp_parsers::iq::Iq;
use xmpp_parsers::minidom::Element;
use xmpp_parsers::ns;
use xmpp_parsers::stanza::Stanza;

use crate::config::{Account, PasswordSource, Secret, TlsMode, DEFAULT_KEEPALIVE};
use crate::session::connect::{self, RostermConnector};
use sentence::Asked;

/// How long the server gets to answer each request.
pub const ANSWER_TIMEOUT: Duration = Duration::from_secs(30);

/// What `rosterm register` was asked to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    pub jid: BareJid,
    pub server: Option<String>,
    pub port: Option<u16>,
    pub ca_file: Option<PathBuf>,
}

/// How `register` failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// The command line is wrong (exit 2).
    Usage(String),
    /// The server, the network or the user said no (exit 1).
    Refused(String),
}

impl Request {
    /// Checks the command line: the JID must name a user (`alice@example.org`).
    pub fn new(
        jid: &str,
        server: Option<String>,
        port: Option<u16>,
        ca_file: Option<PathBuf>,
    ) -> Result<Request, Failure> {
        let parsed = Jid::new(jid).ok().filter(|j| j.node().is_some());
        let Some(parsed) = parsed else {
            return Err(Failure::Usage(format!(
                "register: {:?} is not an account address; give one like alice@example.org",
                crate::sanitize::sanitize(jid, 200)
            )));
        };
        if parsed.resource().is_some() {
            return Err(Failure::Usage(format!(
                "register: give the account without a resource, like {}",
                parsed.to_bare()
            )));
        }
        Ok(Request {
            jid: parsed.to_bare(),
            server: server.filter(|s| !s.is_empty()),
            port,
            ca_file,
        })
    }

    /// The account it connects as (no password: none is sent before the account exists).
    fn account(&self) -> Account {
        Account {
            jid: self.jid.clone(),
            password: PasswordSource::Literal(Secret::new(String::new())),
            resource: None,
            server: self.server.clone(),
            port: self.port,
            tls: TlsMode::StartTls,
            ca_file: self.ca_file.clone(),
            cert_fingerprint: None,
            keepalive: DEFAULT_KEEPALIVE,
            dns_server: None,
            name: self.jid.to_string(),
            presence: Default::default(),
        }
    }

    /// The `[[account]]` table for the config, with comments around it (a valid TOML
    /// snippet, with no password in it).
    pub fn account_table(&self) -> String {
        let quote = |s: &str| toml::Value::String(s.to_owned()).to_string();
        let jid = &self.jid;
        let mut out = format!(
            "# Registered {jid}. Add this to rosterm's config (by default ~/.config/rosterm/config.toml):\n[[account]]\njid = {}\n",
            quote(jid.as_str())
        );
        if let Some(server) = &self.server {
            out.push_str(&format!("server = {}\n", quote(server)));
        }
        if let Some(port) = self.port {
            out.push_str(&format!("port = {port}\n"));
        }
        if let Some(ca) = &self.ca_file {
            let ca = std::fs::canonicalize(ca).unwrap_or_else(|_| ca.clone());
            out.push_str(&format!("ca_file = {}\n", quote(&ca.to_string_lossy())));
        }
        out.push_str(&format!(
            "# The password is not written here. Add password_command = \"pass show xmpp/{jid}\"\n# (any command that prints it), or password = \"...\" in a config file only you can read.\n"
        ));
        out
    }
}

type Stream = tokio_xmpp::xmlstream::XmlStream<
    <RostermConnector as ServerConnector>::Stream,
    XmppStreamElement,
>;

/// Creates the account: connect (TLS, no login), fetch the form, ask, submit.
pub async fn register(request: &Request, asker: &mut dyn ask::Asker) -> Result<(), Failure> {
    let account = request.account();
    let mut stream = open(&account).await?;
    let domain = account.jid.domain().as_str();
    let query = ask_form(&mut stream, &request.jid).await?;
    let form = form::parse(&query);
    if form.registered {
        return Err(Failure::Refused(format!(
            "{domain} says {} is already registered; log in with it instead.",
            request.jid
        )));
    }
    if let Some(why) = form.blocker(domain) {
        return Err(Failure::Refused(why));
    }
    for line in form.instructions.iter().chain(form.notes().iter()) {
        eprintln!("{line}");
    }
    let mut answers = form::Answers::default();
    for prompt in form.prompts() {
        let typed = asker.ask(&prompt).map_err(Failure::Refused)?;
        answers.set(&prompt.var, typed);
    }
    let username = request.jid.node().map(|n| n.as_str()).unwrap_or_default();
    let submit = form.submit(username, &answers).map_err(Failure::Refused)?;
    drop(answers);
    let answer = exchange(
        &mut stream,
        Iq::Set {
            from: None,
            to: server_jid(&account.jid),
            id: "rosterm-register-2".into(),
            payload: submit,
        },
    )
    .await;
    let _ = tokio::time::timeout(Duration::from_secs(2), stream.shutdown()).await;
    match answer? {
        Answer::Result(_) => Ok(()),
        Answer::Error(condition, text) => Err(Failure::Refused(sentence::refusal(
            Asked::Create,
            &condition,
            text.as_deref(),
            &request.jid,
        ))),
    }
}

/// Connects with TLS and reads the stream features; no authentication. Registration that
/// the server does not advertise is refused here.
async fn open(account: &Account) -> Result<Stream, Failure> {
    let (connector, probe) = RostermConnector::for_account(account)
        .map_err(|e| Failure::Usage(format!("register: --ca-file: {e}")))?;
    let jid = Jid::from(account.jid.clone());
    let timeouts = connect::timeouts(account.keepalive);
    let attempt = async {
        let (pending, _) = connector.connect(&jid, ns::JABBER_CLIENT, timeouts).await?;
        let (features, stream) = pending.recv_features::<XmppStreamElement>().await?;
        Ok::<_, tokio_xmpp::Error>((features, stream))
    };
    let secs = connect::ATTEMPT_TIMEOUT.as_secs();
    let cli = |m: &str| {
        m.replace("account.ca_file", "--ca-file")
            .replace("account.", "--")
    };
    let (features, stream) = match tokio::time::timeout(connect::ATTEMPT_TIMEOUT, attempt).await {
        Ok(Ok(done)) => done,
        Ok(Err(e)) => {
            let failure = connect::classify(&e, account, &probe);
            return Err(Failure::Refused(cli(failure.message())));
        }
        Err(_) => {
            let failure = connect::stalled(&connector.progress, account, secs);
            return Err(Failure::Refused(cli(failure.message())));
        }
    };
    if !features.in_band_registration {
        let domain = account.jid.domain().as_str();
        return Err(Failure::Refused(sentence::not_allowed(domain, "")));
    }
    Ok(stream)
}

/// The registration form (the query of the answer to `iq get`).
async fn ask_form(stream: &mut Stream, jid: &BareJid) -> Result<Element, Failure> {
    let get = Iq::Get {
        from: None,
        to: server_jid(jid),
        id: "rosterm-register-1".into(),
        payload: Element::builder("query", ns::REGISTER).build(),
    };
    match exchange(stream, get).await? {
        Answer::Result(Some(query)) if query.is("query", ns::REGISTER) => Ok(query),
        Answer::Result(_) => Err(Failure::Refused(format!(
            "{} answered without a registration form; register on its web site or with another client.",
            jid.domain()
        ))),
        Answer::Error(condition, text) => Err(Failure::Refused(sentence::refusal(
            Asked::Form,
            &condition,
            text.as_deref(),
            jid,
        ))),
    }
}

/// How the server answered an IQ: its payload, or its error condition and text.
enum Answer {
    Result(Option<Element>),
    Error(String, Option<String>),
}

/// Sends `iq` and waits (at most [`ANSWER_TIMEOUT`]) for the answer with its id.
async fn exchange(stream: &mut Stream, iq: Iq) -> Result<Answer, Failure> {
    let id = iq.id().to_owned();
    let server = iq.to().map(ToString::to_string).unwrap_or_default();
    stream
        .send(&XmppStreamElement::Stanza(Stanza::Iq(iq)))
        .await
        .map_err(|e| Failure::Refused(format!("Lost the connection to {server}: {e}.")))?;
    let wait = async {
        loop {
            match stream.next().await {
                Some(Ok(XmppStreamElement::Stanza(Stanza::Iq(answer)))) if answer.id() == id => {
                    return Ok(match answer {
                        Iq::Result { payload, .. } => Answer::Result(payload),
                        Iq::Error { error, .. } => Answer::Error(
                            condition_name(&error.defined_condition),
                            error
                                .texts
                                .get("")
                                .or_else(|| error.texts.values().next())
                                .cloned(),
                        ),
                        Iq::Get { .. } | Iq::Set { .. } => continue,
                    });
                }
                Some(Ok(XmppStreamElement::StreamError(e))) => {
                    let text = crate::sanitize::sanitize(&e.to_string(), 300);
                    return Err(Failure::Refused(format!(
                        "{server} closed the stream: {text}."
                    )));
                }
                Some(Ok(_)) | Some(Err(ReadError::SoftTimeout | ReadError::ParseError(_))) => {}
                Some(Err(ReadError::HardError(e))) => {
                    return Err(Failure::Refused(format!(
                        "Lost the connection to {server}: {e}."
                    )))
                }
                Some(Err(ReadError::StreamFooterReceived)) | None => {
                    return Err(Failure::Refused(format!(
                        "{server} closed the connection before answering."
                    )))
                }
            }
        }
    };
    tokio::time::timeout(ANSWER_TIMEOUT, wait)
        .await
        .unwrap_or_else(|_| {
            Err(Failure::Refused(format!(
                "{server} did not answer within {} s.",
                ANSWER_TIMEOUT.as_secs()
            )))
        })
}

/// The account's server, as an IQ's `to`.
pub fn server_jid(jid: &BareJid) -> Option<Jid> {
    Jid::new(jid.domain().as_str()).ok()
}

/// The XML name of an error condition, e.g. "conflict".
pub fn condition_name(c: &xmpp_parsers::stanza_error::DefinedCondition) -> String {
    let el: Element = c.clone().into();
    el.name().to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_command_line_needs_a_user_address() {
        for bad in ["example.org", "@@", "", "alice@example.org/phone"] {
            let err = Request::new(bad, None, None, None).unwrap_err();
            assert!(matches!(err, Failure::Usage(_)), "{bad}: {err:?}");
        }
        let ok = Request::new("alice@example.org", Some(String::new()), Some(5299), None);
        assert_eq!(
            ok.unwrap(),
            Request {
                jid: BareJid::new("alice@example.org").unwrap(),
                server: None,
                port: Some(5299),
                ca_file: None,
            }
        );
    }

    #[test]
    fn the_account_table_is_valid_toml_with_no_password() {
        let request = Request::new(
            "alice@example.org",
            Some("xmpp.example.org".into()),
            Some(5299),
            Some("/nonexistent/we\"ird/ca.pem".into()),
        )
        .unwrap();
        let table = request.account_table();
        let parsed: toml::Table = toml::from_str(&table).unwrap();
        let account = &parsed["account"].as_array().unwrap()[0];
        assert_eq!(account["jid"].as_str(), Some("alice@example.org"));
        assert_eq!(account["server"].as_str(), Some("xmpp.example.org"));
        assert_eq!(account["port"].as_integer(), Some(5299));
        assert_eq!(
            account["ca_file"].as_str(),
            Some("/nonexistent/we\"ird/ca.pem")
        );
        assert!(account.get("password").is_none());
        assert!(table.contains("password_command"), "{table}");
        // Without the options: just the JID.
        let plain = Request::new("bob@example.org", None, None, None).unwrap();
        let parsed: toml::Table = toml::from_str(&plain.account_table()).unwrap();
        let account = parsed["account"].as_array().unwrap()[0].as_table().unwrap();
        assert_eq!(account.keys().collect::<Vec<_>>(), ["jid"]);
    }
}
