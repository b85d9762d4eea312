//! The form, read from what servers send (XEP-0077 examples, Prosody 0.12's answer) and
//! written back.

use super::*;

fn el(xml: &str) -> Element {
    xml.parse().unwrap()
}

/// Prosody 0.12's answer to the registration get, as it sends it.
const PROSODY: &str = "<query xmlns='jabber:iq:register'><instructions>Choose a username and password for use with this service.</instructions><username/><password/><x xmlns='jabber:x:data' type='form'><title>Creating a new account</title><instructions>Choose a username and password for use with this service.</instructions><field var='FORM_TYPE' type='hidden'><value>jabber:iq:register</value></field><field var='username' type='text-single' label='Username'><required/></field><field var='password' type='text-private' label='Password'><required/></field></x></query>";

#[test]
fn prosodys_form_asks_only_for_the_password_and_submits_a_data_form() {
    let form = parse(&el(PROSODY));
    assert_eq!(form.style, Style::DataForm, "the data form wins");
    assert_eq!(
        form.instructions,
        [
            "Creating a new account",
            "Choose a username and password for use with this service."
        ]
    );
    assert_eq!(form.blocker("localhost"), None);
    let prompts = form.prompts();
    assert_eq!(
        prompts,
        [Prompt {
            var: "password".into(),
            text: "Password".into(),
            hidden: true,
            required: true
        }],
        "the username comes from the JID"
    );
    let mut answers = Answers::default();
    answers.set("password", "s3cret".into());
    let submitted = form.submit("carol", &answers).unwrap();
    let expected = el("<query xmlns='jabber:iq:register'><x xmlns='jabber:x:data' type='submit'><field var='FORM_TYPE'><value>jabber:iq:register</value></field><field var='username'><value>carol</value></field><field var='password'><value>s3cret</value></field></x></query>");
    assert_eq!(submitted, expected);
}

#[test]
fn legacy_fields_are_all_asked_and_written_back_as_children() {
    // XEP-0077 example 2.
    let form = parse(&el("<query xmlns='jabber:iq:register'><instructions>Choose a username and password for use with this service. Please also provide your email address.</instructions><username/><password/><email/></query>"));
    assert_eq!(form.style, Style::Legacy);
    let prompts: Vec<(String, bool, bool)> = form
        .prompts()
        .into_iter()
        .map(|p| (p.text, p.hidden, p.required))
        .collect();
    assert_eq!(
        prompts,
        [
            ("Password".into(), true, true),
            ("Email".into(), false, true)
        ]
    );
    let mut answers = Answers::default();
    answers.set("password", "pw".into());
    let missing = form.submit("bill", &answers).unwrap_err();
    assert_eq!(
        missing,
        "The server requires Email and nothing was given for it (from a pipe: one line per field, in the order asked)."
    );
    answers.set("email", "bard@shakespeare.lit".into());
    assert_eq!(
        form.submit("bill", &answers).unwrap(),
        el("<query xmlns='jabber:iq:register'><username>bill</username><password>pw</password><email>bard@shakespeare.lit</email></query>")
    );
}

#[test]
fn optional_booleans_and_lists_get_their_hints_and_their_values() {
    let form = parse(&el("<query xmlns='jabber:iq:register'><x xmlns='jabber:x:data' type='form'><field var='username' type='text-single'><required/></field><field var='password' type='text-private'><required/></field><field type='fixed'><value>Read the rules.</value></field><field var='tos' type='boolean' label='Accept the rules'><required/></field><field var='lang' type='list-single' label='Language'><option label='English'><value>en</value></option><option label='Deutsch'><value>de</value></option></field><field var='nick' type='text-single' label='Nick'/></x></query>"));
    assert_eq!(form.notes(), ["Read the rules."]);
    let texts: Vec<String> = form.prompts().into_iter().map(|p| p.text).collect();
    assert_eq!(
        texts,
        [
            "Password",
            "Accept the rules [y/n]",
            "Language [English, Deutsch] (optional, Enter skips)",
            "Nick (optional, Enter skips)"
        ]
    );
    let mut answers = Answers::default();
    answers.set("password", "pw".into());
    answers.set("tos", "maybe".into());
    assert_eq!(
        form.submit("u", &answers).unwrap_err(),
        "Accept the rules: \"maybe\" is not an answer; type y or n."
    );
    answers.set("tos", "Y".into());
    answers.set("lang", "deutsch".into());
    let submitted = form.submit("u", &answers).unwrap();
    let x = submitted.get_child("x", ns::DATA_FORMS).unwrap();
    let value = |var: &str| {
        x.children()
            .find(|f| f.attr("var") == Some(var))
            .map(|f| f.children().map(Element::text).collect::<Vec<_>>())
    };
    assert_eq!(value("tos"), Some(vec!["1".into()]));
    assert_eq!(value("lang"), Some(vec!["de".into()]));
    assert_eq!(value("nick"), Some(vec![String::new()]), "skipped: empty");
    answers.set("lang", "Klingon".into());
    let wrong = form.submit("u", &answers).unwrap_err();
    assert_eq!(
        wrong,
        "Language: \"Klingon\" is not one of English, Deutsch."
    );
}

#[test]
fn a_captcha_or_a_web_only_registration_is_refused_with_its_address_sanitized() {
    // XEP-0158 in the registration form, with media and a web fallback.
    let captcha = parse(&el("<query xmlns='jabber:iq:register'><x xmlns='jabber:x:data' type='form'><field type='hidden' var='FORM_TYPE'><value>urn:xmpp:captcha</value></field><field var='ocr' label='Enter the text you see'><media xmlns='urn:xmpp:media-element'><uri type='image/png'>cid:sha1+f24030b8d91d233bac14777be5ab531ca3b9f102@bob.xmpp.org</uri><uri type='text/html'>https://example.org/captcha?id=1&#x202e;x</uri></media><required/></field></x></query>"));
    assert!(captcha.captcha);
    let why = captcha.blocker("example.org").unwrap();
    assert_eq!(
        why,
        "example.org asks for a CAPTCHA, which rosterm cannot show: register at https://example.org/captcha?id=1x, then add the account to rosterm's config."
    );
    // XEP-0077 §5: registration redirected to a web page.
    let web = parse(&el("<query xmlns='jabber:iq:register'><instructions>To register, visit http://www.shakespeare.lit/contests.php</instructions><x xmlns='jabber:x:oob'><url>http://www.shakespeare.lit/contests.php&#x9b;2J&#x7f;</url></x></query>"));
    assert_eq!(
        web.blocker("shakespeare.lit").unwrap(),
        "shakespeare.lit registers accounts on the web, not from a client: register at http://www.shakespeare.lit/contests.php\u{fffd}2J\u{2421}, then add the account to rosterm's config."
    );
    assert_eq!(
        web.instructions,
        ["To register, visit http://www.shakespeare.lit/contests.php"]
    );
    // Only web addresses are shown: a javascript: or file: URL is not.
    let odd = parse(&el("<query xmlns='jabber:iq:register'><x xmlns='jabber:x:oob'><url>javascript:alert(1)</url></x></query>"));
    assert!(odd.urls.is_empty());
    assert!(odd
        .blocker("e.org")
        .unwrap()
        .contains("without any field to fill"));
}

#[test]
fn labels_and_instructions_from_the_server_are_sanitized() {
    let form = parse(&el("<query xmlns='jabber:iq:register'><x xmlns='jabber:x:data' type='form'><instructions>Hi&#x9b;2J&#x202e;there</instructions><field var='password' type='text-private' label='Pass&#x200b;word&#x7f;'><required/></field></x></query>"));
    assert_eq!(
        form.instructions,
        ["Hi\u{fffd}2Jthere"],
        "C1 visible, bidi gone"
    );
    assert_eq!(form.prompts()[0].text, "Password\u{2421}");
    assert!(form.prompts()[0].hidden);
}

#[test]
fn registered_is_noticed() {
    let form = parse(&el("<query xmlns='jabber:iq:register'><registered/><username>juliet</username><password/></query>"));
    assert!(form.registered);
    assert_eq!(form.fields[0].values, ["juliet"]);
}
