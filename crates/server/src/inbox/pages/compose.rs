//! The reply box's templates: when the 24-hour window is closed only an
//! approved template may go, so the box lists the approved templates of
//! the number's account from the template library (`crate::templates`,
//! kept in step with Meta), each with its WhatsApp bubble and an input for
//! each of its parameters.

use crate::auth::TenantCtx;
use crate::state::AppState;
use crate::templates::layout::{Layout, Values, placeholders as find_placeholders};
use crate::templates::pages::preview::{Bubble, VarInput, inputs};
use store::channels::Channel;
use whatsapp::outgoing::{Template, TemplateComponent, TemplateParameter};

#[derive(Debug, Clone)]
pub struct TemplateChoice {
    /// The library's id (the picker posts it back).
    pub id: String,
    pub name: String,
    pub language: String,
    pub category: String,
    pub body: String,
    /// Body variable names in order of first use: `1`, `2`… or named ones.
    pub variables: Vec<String>,
    pub named: bool,
    /// As the customer will see it (examples where values are missing).
    pub bubble: Bubble,
    /// An input per parameter: header, body, buttons.
    pub inputs: Vec<VarInput>,
}

/// The `{{…}}` placeholders of a template text, each once, in order.
pub fn placeholders(text: &str) -> Vec<String> {
    find_placeholders(text)
}

/// The approved templates of the number's account, or why they could not
/// be listed.
pub async fn approved_templates(
    state: &AppState,
    ctx: &TenantCtx,
    channel: &Channel,
) -> Result<Vec<TemplateChoice>, String> {
    let all = crate::templates::approved_for_channel(state, ctx, channel)
        .await
        .map_err(|e| {
            tracing::warn!(error = %e, "dashboard: listing templates");
            "the template library could not be read; try again in a moment".to_owned()
        })?;
    Ok(all
        .into_iter()
        .map(|t| {
            let layout = Layout::from_components(&t.components);
            TemplateChoice {
                id: t.id.to_string(),
                variables: placeholders(&layout.body),
                named: t
                    .parameter_format
                    .as_deref()
                    .is_some_and(|f| f.eq_ignore_ascii_case("NAMED")),
                bubble: Bubble::of(&layout, &Values::default()),
                inputs: inputs(&layout, &Values::default()),
                body: layout.body,
                name: t.name,
                language: t.language,
                category: crate::templates::lower(&t.category),
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
