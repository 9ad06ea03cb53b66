//! The reply box's templates: when the 24-hour window is closed only an
//! approved template may go, so the box lists the channel's approved
//! templates (read from Meta through the channel's own token) with an input
//! for each `{{n}}` variable of their body.

use crate::state::AppState;
use store::channels::Channel;
use whatsapp::client::TemplateQuery;
use whatsapp::outgoing::{Template, TemplateComponent, TemplateParameter};

#[derive(Debug, Clone)]
pub struct TemplateChoice {
    pub name: String,
    pub language: String,
    pub category: String,
    pub body: String,
    /// Variable names in order of first use: `1`, `2`… or named ones.
    pub variables: Vec<String>,
    pub named: bool,
}

/// The `{{…}}` placeholders of a template text, each once, in order.
pub fn placeholders(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        let after = &rest[start + 2..];
        let Some(end) = after.find("}}") else { break };
        let name = after[..end].trim().to_owned();
        if !name.is_empty() && !out.contains(&name) {
            out.push(name);
        }
        rest = &after[end + 2..];
    }
    out
}

/// The channel's approved templates, or why they could not be listed.
pub async fn approved_templates(
    state: &AppState,
    channel: &Channel,
) -> Result<Vec<TemplateChoice>, String> {
    let token = state
        .secrets
        .open_str(&channel.access_token)
        .map_err(|_| "this number's credentials cannot be read".to_owned())?;
    let query = TemplateQuery {
        status: Some("APPROVED".into()),
        ..TemplateQuery::default()
    };
    let all = state
        .graph
        .list_all_templates(&channel.waba_id, &token, &query)
        .await
        .map_err(|e| {
            tracing::warn!(error = %e, "dashboard: listing templates");
            "Meta did not answer with the templates; try again in a moment".to_owned()
        })?;
    Ok(all
        .into_iter()
        .filter(|t| t.status.eq_ignore_ascii_case("APPROVED"))
        .map(|t| {
            let body = t
                .components
                .iter()
                .find(|c| c.kind.eq_ignore_ascii_case("BODY"))
                .and_then(|c| c.text.clone())
                .unwrap_or_default();
            TemplateChoice {
                variables: placeholders(&body),
                named: t
                    .parameter_format
                    .as_deref()
                    .is_some_and(|f| f.eq_ignore_ascii_case("NAMED")),
                name: t.name,
                language: t.language,
                category: t.category.unwrap_or_default(),
                body,
            }
        })
        .collect())
}

/// The template send for the values typed into the box (`var_<name>`).
pub fn template_content(
    name: &str,
    language: &str,
    named: bool,
    values: &[(String, String)],
) -> Template {
    let params: Vec<TemplateParameter> = values
        .iter()
        .filter_map(|(k, v)| k.strip_prefix("var_").map(|n| (n, v)))
        .map(|(n, v)| {
            if named {
                TemplateParameter::named(n, v.trim())
            } else {
                TemplateParameter::text(v.trim())
            }
        })
        .collect();
    let t = Template::new(name, language);
    if params.is_empty() {
        t
    } else {
        t.with_component(TemplateComponent::body(params))
    }
}

#[cfg(test)]
mod tests {
    use super::placeholders;

    #[test]
    fn placeholders_are_found_once_in_order() {
        assert_eq!(placeholders("Hi {{1}}, order {{2}} ({{1}})"), ["1", "2"]);
        assert_eq!(placeholders("Hello {{ name }}"), ["name"]);
        assert!(placeholders("no variables {{").is_empty());
    }
}
