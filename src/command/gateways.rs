//! `/gateways` and `/register GATEWAY` (XEP-0100).

use super::SlashCommand;

/// `/register gateway.example.org`: a gateway is a domain (no `@`, no `/`).
pub fn register(rest: &str) -> Result<SlashCommand, String> {
    let rest = rest.trim();
    jid::BareJid::new(rest)
        .ok()
        .filter(|j| j.node().is_none() && !rest.is_empty())
        .map(SlashCommand::Register)
        .ok_or_else(|| {
            format!(
                "/register: {rest:?} is not a gateway address, like irc.example.org (/gateways lists them)"
            )
        })
}

#[cfg(test)]
mod tests {
    use super::super::{parse, SlashCommand};

    #[test]
    fn register_takes_a_gateway_domain_only() {
        let Ok(SlashCommand::Register(gateway)) = parse("/register irc.example.org") else {
            panic!("not a register");
        };
        assert_eq!(gateway.as_str(), "irc.example.org");
        for bad in ["/register", "/register bob@example.org", "/register a b"] {
            let err = parse(bad).unwrap_err();
            assert!(err.contains("not a gateway address"), "{bad}: {err}");
        }
        assert_eq!(parse("/gateways"), Ok(SlashCommand::Gateways));
    }
}
