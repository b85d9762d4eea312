//! The server's registration form (XEP-0077 `<query xmlns='jabber:iq:register'>`) read into
//! plain data, what rosterm must ask the user for, and the answer to submit. A data form
//! (XEP-0004, `jabber:x:data`) wins over the legacy fields when the server sends both
//! (XEP-0077 §6); `answer` writes what the user typed back. Every text meant for the terminal (instructions, labels, URLs) is sanitized
//! here; the values sent back (a hidden field's, an option's) are kept as the server wrote them.

use xmpp_parsers::minidom::Element;
use xmpp_parsers::ns;

use crate::sanitize::{sanitize, MAX_NAME, MAX_STATUS};

pub use super::answer::Answers;

const CAPTCHA: &str = "urn:xmpp:captcha";

/// How the server asked, and so how the answer is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// `<username/><password/>…` children of the query.
    Legacy,
    /// A `jabber:x:data` form.
    DataForm,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    Text,
    /// Typed without echo (the password, `text-private`).
    Private,
    /// Sent back as it came (`FORM_TYPE`, a legacy `<key/>`); never asked.
    Hidden,
    /// Text to read, not a field.
    Fixed,
    Boolean,
    /// One of `options`, or several for `list-multi`.
    List {
        multi: bool,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    /// The name it is submitted under (as the server wrote it).
    pub var: String,
    /// What the user is asked (sanitized).
    pub label: String,
    pub kind: Kind,
    pub required: bool,
    /// The value the server filled in (a hidden field's, a default).
    pub values: Vec<String>,
    /// (label shown, value sent), for lists.
    pub options: Vec<(String, String)>,
}

/// What the server sent, read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Form {
    pub style: Style,
    /// The form's title and instructions, or the legacy `<instructions>` (sanitized).
    pub instructions: Vec<String>,
    pub fields: Vec<Field>,
    /// Out-of-band addresses: `jabber:x:oob` URLs, a CAPTCHA's web fallback (sanitized).
    pub urls: Vec<String>,
    /// The form is a XEP-0158 CAPTCHA (or has media to look at).
    pub captcha: bool,
    /// `<registered/>`: the server says this account already exists.
    pub registered: bool,
}

/// One question for the user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prompt {
    pub var: String,
    /// "Password", "Email (optional)", "Color [red, blue]".
    pub text: String,
    pub hidden: bool,
    pub required: bool,
}

fn legacy_label(name: &str) -> String {
    let label = match name {
        "username" => "Username",
        "password" => "Password",
        "email" => "Email",
        "nick" => "Nickname",
        "name" => "Full name",
        "first" => "Given name",
        "last" => "Family name",
        "address" => "Street",
        "city" => "City",
        "state" => "State",
        "zip" => "Postal code",
        "phone" => "Telephone number",
        "url" => "Web page",
        "date" => "Date (e.g. birth date)",
        other => return sanitize(other, MAX_NAME),
    };
    label.to_owned()
}

fn text_of(el: &Element) -> Option<String> {
    let text = el.text();
    let text = text.trim();
    (!text.is_empty()).then(|| sanitize(text, MAX_STATUS))
}

/// Reads the query of the server's answer to the registration `get`.
pub fn parse(query: &Element) -> Form {
    let mut urls = oob_urls(query);
    let data = query.get_child("x", ns::DATA_FORMS);
    let mut form = match data {
        Some(x) => parse_data_form(x),
        None => parse_legacy(query),
    };
    if form.instructions.is_empty() {
        form.instructions.extend(
            query
                .get_child("instructions", ns::REGISTER)
                .and_then(text_of),
        );
    }
    urls.append(&mut form.urls);
    urls.dedup();
    form.urls = urls;
    form.registered = query.get_child("registered", ns::REGISTER).is_some();
    form
}

fn parse_legacy(query: &Element) -> Form {
    let skip = ["instructions", "registered", "remove", "x"];
    let fields = query
        .children()
        .filter(|c| c.ns() == ns::REGISTER && !skip.contains(&c.name()))
        .map(|c| {
            let name = c.name();
            let kind = match name {
                "password" => Kind::Private,
                "key" => Kind::Hidden,
                _ => Kind::Text,
            };
            Field {
                var: name.to_owned(),
                label: legacy_label(name),
                kind,
                // The legacy fields the server lists are all required (XEP-0077 §3.1).
                required: true,
                values: vec![c.text()]
                    .into_iter()
                    .filter(|t| !t.is_empty())
                    .collect(),
                options: Vec::new(),
            }
        })
        .collect();
    Form {
        style: Style::Legacy,
        instructions: Vec::new(),
        fields,
        urls: Vec::new(),
        captcha: false,
        registered: false,
    }
}

fn parse_data_form(x: &Element) -> Form {
    let mut instructions: Vec<String> = Vec::new();
    instructions.extend(x.get_child("title", ns::DATA_FORMS).and_then(text_of));
    instructions.extend(
        x.children()
            .filter(|c| c.is("instructions", ns::DATA_FORMS))
            .filter_map(text_of),
    );
    let mut captcha = false;
    let mut urls = Vec::new();
    let mut fields = Vec::new();
    for f in x.children().filter(|c| c.is("field", ns::DATA_FORMS)) {
        let field = parse_field(f);
        if f.get_child("media", ns::MEDIA_ELEMENT).is_some() {
            captcha = true;
            urls.extend(media_urls(f));
        }
        if field.var == "FORM_TYPE" && field.values.iter().any(|v| v == CAPTCHA) {
            captcha = true;
        }
        if field.var.ends_with("fallback-url") || (captcha && field.var == "url") {
            urls.extend(field.values.iter().filter_map(|v| web_url(v)));
        }
        fields.push(field);
    }
    Form {
        style: Style::DataForm,
        instructions,
        fields,
        urls,
        captcha,
        registered: false,
    }
}

fn parse_field(f: &Element) -> Field {
    let var = f.attr("var").unwrap_or_default().to_owned();
    let kind = match f.attr("type").unwrap_or("text-single") {
        "text-private" => Kind::Private,
        "hidden" => Kind::Hidden,
        "fixed" => Kind::Fixed,
        "boolean" => Kind::Boolean,
        "list-single" => Kind::List { multi: false },
        "list-multi" => Kind::List { multi: true },
        // text-single, text-multi, jid-single, jid-multi, and what XEP-0004 does not define.
        _ if var == "password" => Kind::Private,
        _ => Kind::Text,
    };
    let label = f
        .attr("label")
        .map(|l| sanitize(l.trim(), MAX_NAME))
        .filter(|l| !l.is_empty())
        .unwrap_or_else(|| legacy_label(&var));
    let values = f
        .children()
        .filter(|c| c.is("value", ns::DATA_FORMS))
        .map(Element::text)
        .collect();
    let options = f
        .children()
        .filter(|c| c.is("option", ns::DATA_FORMS))
        .filter_map(|o| {
            let value = o.get_child("value", ns::DATA_FORMS)?.text();
            let label = o.attr("label").unwrap_or(&value);
            Some((sanitize(label, MAX_NAME), value))
        })
        .collect();
    Field {
        var,
        label,
        kind,
        required: f.get_child("required", ns::DATA_FORMS).is_some(),
        values,
        options,
    }
}

/// An address worth showing: http or https only, sanitized.
fn web_url(text: &str) -> Option<String> {
    let text = text.trim();
    let lower = text.to_ascii_lowercase();
    (lower.starts_with("https://") || lower.starts_with("http://")).then(|| sanitize(text, 400))
}

/// `<x xmlns='jabber:x:oob'><url>` anywhere in the query (XEP-0077 §5 redirection).
fn oob_urls(query: &Element) -> Vec<String> {
    let mut urls = Vec::new();
    let mut stack = vec![query];
    while let Some(el) = stack.pop() {
        if el.is("x", ns::OOB) {
            urls.extend(
                el.get_child("url", ns::OOB)
                    .and_then(|u| web_url(&u.text())),
            );
        }
        stack.extend(el.children());
    }
    urls
}

/// XEP-0221 media: the `<uri>`s that a browser can open.
fn media_urls(field: &Element) -> Vec<String> {
    field
        .children()
        .filter(|c| c.is("media", ns::MEDIA_ELEMENT))
        .flat_map(|m| m.children().filter(|u| u.is("uri", ns::MEDIA_ELEMENT)))
        .filter_map(|u| web_url(&u.text()))
        .collect()
}

impl Form {
    /// Why rosterm cannot fill this form itself, in one sentence, if it cannot: a CAPTCHA, or
    /// registration on a web page only.
    pub fn blocker(&self, domain: &str) -> Option<String> {
        let at = match self.urls.first() {
            Some(url) => format!("register at {url}"),
            None => {
                "register with a client that shows CAPTCHAs, or on the server's web site".to_owned()
            }
        };
        if self.captcha {
            return Some(format!(
                "{domain} asks for a CAPTCHA, which rosterm cannot show: {at}, then add the account to rosterm's config."
            ));
        }
        let fillable = self
            .fields
            .iter()
            .any(|f| !matches!(f.kind, Kind::Hidden | Kind::Fixed));
        match (self.urls.first(), fillable) {
            (Some(url), false) => Some(format!(
                "{domain} registers accounts on the web, not from a client: register at {url}, then add the account to rosterm's config."
            )),
            (None, false) => Some(format!(
                "{domain} sent a registration form without any field to fill; register on its web site or with another client."
            )),
            _ => None,
        }
    }

    /// The questions to ask, in the form's order: every field but the hidden and fixed ones
    /// and the username, which comes from the JID.
    pub fn prompts(&self) -> Vec<Prompt> {
        self.prompts_where(false)
    }

    /// The questions for a gateway's form (XEP-0100): as [`Form::prompts`], with the
    /// username asked too (the account on the other network, not the JID's).
    pub fn gateway_prompts(&self) -> Vec<Prompt> {
        self.prompts_where(true)
    }

    fn prompts_where(&self, username: bool) -> Vec<Prompt> {
        self.fields
            .iter()
            .filter(|f| !matches!(f.kind, Kind::Hidden | Kind::Fixed))
            .filter(|f| username || f.var != "username")
            .filter(|f| !f.var.is_empty())
            .map(|f| Prompt {
                var: f.var.clone(),
                text: prompt_text(f),
                hidden: f.kind == Kind::Private,
                required: f.required,
            })
            .collect()
    }

    /// The fixed texts of a data form, to show with the instructions.
    pub fn notes(&self) -> Vec<String> {
        self.fields
            .iter()
            .filter(|f| f.kind == Kind::Fixed)
            .flat_map(|f| f.values.iter().map(|v| sanitize(v, MAX_STATUS)))
            .collect()
    }
}

fn prompt_text(f: &Field) -> String {
    let mut text = f.label.clone();
    match &f.kind {
        Kind::Boolean => text.push_str(" [y/n]"),
        Kind::List { multi } if !f.options.is_empty() => {
            let names: Vec<&str> = f.options.iter().map(|(l, _)| l.as_str()).collect();
            let sep = if *multi {
                ", several separated by commas"
            } else {
                ""
            };
            text.push_str(&format!(" [{}{sep}]", names.join(", ")));
        }
        _ => {}
    }
    if !f.required {
        text.push_str(" (optional, Enter skips)");
    }
    text
}

#[cfg(test)]
#[path = "form_tests.rs"]
mod tests;
