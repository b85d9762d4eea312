//! The filled form, written back as the server asked for it (legacy children or a
//! `jabber:x:data` submit form), and the checks of what the user typed (required, y/n, one
//! of the options).

use xmpp_parsers::minidom::{Element, ElementBuilder};
use xmpp_parsers::ns;

use super::form::{Field, Form, Kind, Style};
use crate::sanitize::{sanitize, MAX_NAME};

impl Form {
    /// The `<query/>` to submit: `username` from the JID, `answers` (var -> what the user
    /// typed) for the rest, hidden fields as they came. Err: the sentence for a required field
    /// left empty.
    /// A gateway's form (XEP-0100) as typed into rosterm, var -> secret: the username is
    /// among the answers (the account on the other network).
    pub fn submit_typed(
        &self,
        typed: &[(String, crate::config::Secret)],
    ) -> Result<Element, String> {
        let mut answers = Answers::default();
        for (var, value) in typed {
            answers.set(var, value.expose().to_owned());
        }
        let username = answers.get("username").unwrap_or_default().to_owned();
        self.submit(&username, &answers)
    }

    pub fn submit(&self, username: &str, answers: &Answers) -> Result<Element, String> {
        let mut filled: Vec<(&str, Vec<String>)> = Vec::new();
        for f in &self.fields {
            let values = match (&f.kind, f.var.as_str()) {
                (Kind::Fixed, _) | (_, "") => continue,
                (Kind::Hidden, _) => f.values.clone(),
                (_, "username") => vec![username.to_owned()],
                _ => answer_values(f, answers.get(&f.var).unwrap_or_default())?,
            };
            if f.required && values.iter().all(String::is_empty) {
                return Err(format!(
                    "The server requires {} and nothing was given for it (from a pipe: one line per field, in the order asked).",
                    f.label
                ));
            }
            filled.push((&f.var, values));
        }
        Ok(match self.style {
            Style::Legacy => legacy_answer(&filled),
            Style::DataForm => data_form_answer(&filled),
        })
    }
}

/// What the user typed for one field, as the values to send.
fn answer_values(f: &Field, typed: &str) -> Result<Vec<String>, String> {
    let typed = typed.trim_end_matches(['\r', '\n']);
    match &f.kind {
        Kind::Boolean => match typed.trim().to_ascii_lowercase().as_str() {
            "" => Ok(Vec::new()),
            "y" | "yes" | "1" | "true" => Ok(vec!["1".into()]),
            "n" | "no" | "0" | "false" => Ok(vec!["0".into()]),
            other => Err(format!(
                "{}: {:?} is not an answer; type y or n.",
                f.label,
                sanitize(other, MAX_NAME)
            )),
        },
        Kind::List { multi } if !f.options.is_empty() => {
            let parts: Vec<&str> = match multi {
                true => typed.split(',').map(str::trim).collect(),
                false => vec![typed.trim()],
            };
            parts
                .into_iter()
                .filter(|p| !p.is_empty())
                .map(|p| option_value(f, p))
                .collect()
        }
        _ => Ok(vec![typed.to_owned()]),
    }
}

/// The value of the option typed (its label or its value, any case).
fn option_value(f: &Field, typed: &str) -> Result<String, String> {
    f.options
        .iter()
        .find(|(label, value)| label.eq_ignore_ascii_case(typed) || value == typed)
        .map(|(_, value)| value.clone())
        .ok_or_else(|| {
            let names: Vec<&str> = f.options.iter().map(|(l, _)| l.as_str()).collect();
            format!(
                "{}: {:?} is not one of {}.",
                f.label,
                sanitize(typed, MAX_NAME),
                names.join(", ")
            )
        })
}

fn legacy_answer(filled: &[(&str, Vec<String>)]) -> Element {
    let mut query = Element::builder("query", ns::REGISTER);
    for (name, values) in filled {
        let value = values.first().cloned().unwrap_or_default();
        query = query.append(Element::builder(*name, ns::REGISTER).append(value));
    }
    query.build()
}

fn data_form_answer(filled: &[(&str, Vec<String>)]) -> Element {
    let mut x = attr(Element::builder("x", ns::DATA_FORMS), "type", "submit");
    for (var, values) in filled {
        let mut field = attr(Element::builder("field", ns::DATA_FORMS), "var", var);
        for v in values {
            field = field.append(Element::builder("value", ns::DATA_FORMS).append(v.as_str()));
        }
        x = x.append(field);
    }
    Element::builder("query", ns::REGISTER).append(x).build()
}

fn attr(el: ElementBuilder, name: &str, value: &str) -> ElementBuilder {
    match xmpp_parsers::minidom::rxml::NcName::try_from(name) {
        Ok(name) => el.attr(name, value),
        Err(_) => el,
    }
}

/// What the user typed, field by field. Holds the password: no `Debug`.
#[derive(Default)]
pub struct Answers(Vec<(String, String)>);

impl Answers {
    pub fn set(&mut self, var: &str, typed: String) {
        self.0.retain(|(v, _)| v != var);
        self.0.push((var.to_owned(), typed));
    }
    pub fn get(&self, var: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(v, _)| v == var)
            .map(|(_, t)| t.as_str())
    }
}
