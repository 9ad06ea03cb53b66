//! Meta's rules for a new template, checked before it is submitted so the
//! author hears about a mistake at once, with the field at fault, rather
//! than from a rejection hours later. Pure: a draft in, Meta's definition
//! or every fault out (each with its `fields` path: `body.text`,
//! `body.examples.2`, `buttons[1].url`…).
//!
//! The rules (Meta's template guidelines and the management API): a name
//! of lower-case letters, digits and underscores, up to 512; a category of
//! `MARKETING` or `UTILITY` (authentication templates have Meta's fixed
//! one-time-password layout and are made in WhatsApp Manager); a header
//! of up to 60 characters with at most one parameter, or media with an
//! example; a body of 1 to 1,024 characters that neither starts nor ends
//! with a parameter; positional parameters numbered `{{1}}` to `{{n}}`
//! without gaps, or named ones (`{{first_name}}`: lower-case letters,
//! digits and underscores), never both; an example for every parameter; a
//! footer of up to 60 characters without parameters; at most 10 buttons
//! (at most 2 URL, 1 phone number and 1 copy-code), labels of up to 25
//! characters, unique, and quick replies kept together.

use super::draft::{BUTTON_TYPES, ButtonDraft, HEADER_FORMATS, TemplateDraft, non_empty};
use super::layout::placeholders;
use crate::error::FieldError;
use whatsapp::client::{TemplateComponentDef, TemplateDefinition};

pub const MAX_NAME: usize = 512;
pub const MAX_HEADER: usize = 60;
pub const MAX_BODY: usize = 1024;
pub const MAX_FOOTER: usize = 60;
pub const MAX_BUTTONS: usize = 10;
pub const MAX_BUTTON_TEXT: usize = 25;
pub const MAX_URL_BUTTONS: usize = 2;
pub const MAX_URL: usize = 2000;
pub const MAX_EXAMPLE: usize = 1024;
pub const MAX_COPY_CODE: usize = 15;
/// The categories authored here.
pub const CATEGORIES: [&str; 2] = ["MARKETING", "UTILITY"];

/// The faults found so far.
#[derive(Default)]
struct Faults(Vec<FieldError>);

impl Faults {
    fn add(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.0.push(FieldError {
            field: field.into(),
            message: message.into(),
        });
    }
}

fn chars(s: &str) -> usize {
    s.chars().count()
}

/// Meta's definition of `draft`, or every rule it breaks.
pub fn validate(draft: &TemplateDraft) -> Result<TemplateDefinition, Vec<FieldError>> {
    let mut f = Faults::default();
    let name = draft.name.trim();
    if name.is_empty() || chars(name) > MAX_NAME {
        f.add("name", format!("1 to {MAX_NAME} characters"));
    } else if !name
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
    {
        f.add(
            "name",
            "only lower-case letters, digits and underscores (e.g. order_update)",
        );
    }
    if !valid_language(draft.language.trim()) {
        f.add(
            "language",
            "a WhatsApp language code such as en_US, fr or pt_BR",
        );
    }
    let category = draft.category.trim().to_uppercase();
    if category == "AUTHENTICATION" {
        f.add(
            "category",
            "authentication templates use Meta's fixed one-time-password layout: create them in WhatsApp Manager",
        );
    } else if !CATEGORIES.contains(&category.as_str()) {
        f.add("category", "marketing or utility");
    }
    let format = draft.parameter_format.trim().to_lowercase();
    if !matches!(format.as_str(), "positional" | "named") {
        f.add("parameter_format", "positional or named");
    }
    header(draft, &mut f);
    body(draft, &mut f);
    if let Some(footer) = non_empty(draft.footer.as_deref()) {
        if chars(footer) > MAX_FOOTER {
            f.add("footer", format!("at most {MAX_FOOTER} characters"));
        }
        if footer.contains("{{") {
            f.add("footer", "a footer has no parameters");
        }
    }
    buttons(&draft.buttons, &mut f);
    if !f.0.is_empty() {
        return Err(f.0);
    }
    let components = serde_json::from_value::<Vec<TemplateComponentDef>>(draft.components())
        .map_err(|e| {
            vec![FieldError {
                field: "components".into(),
                message: e.to_string(),
            }]
        })?;
    Ok(TemplateDefinition {
        name: name.to_owned(),
        language: draft.language.trim().to_owned(),
        category,
        parameter_format: Some(draft.meta_parameter_format().to_owned()),
        allow_category_change: None,
        components,
    })
}

/// `en`, `fil`, `en_US`, `es_419`, `zh_HK`…
fn valid_language(code: &str) -> bool {
    let (lang, region) = code.split_once('_').unwrap_or((code, ""));
    (2..=3).contains(&lang.len())
        && lang.bytes().all(|b| b.is_ascii_lowercase())
        && (region.is_empty()
            || ((2..=4).contains(&region.len())
                && region.bytes().all(|b| b.is_ascii_alphanumeric())))
}

/// Whether `name` is a parameter name the draft's format allows.
fn valid_param(draft: &TemplateDraft, name: &str) -> bool {
    if draft.named() {
        name.starts_with(|c: char| c.is_ascii_lowercase())
            && name
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
    } else {
        !name.is_empty() && name.bytes().all(|b| b.is_ascii_digit()) && !name.starts_with('0')
    }
}

fn param_rule(draft: &TemplateDraft) -> &'static str {
    if draft.named() {
        "named parameters are lower-case names like {{first_name}}"
    } else {
        "positional parameters are numbers like {{1}}; switch to named parameters for names"
    }
}

fn header(draft: &TemplateDraft, f: &mut Faults) {
    let Some(h) = &draft.header else { return };
    let format = h.format.trim().to_lowercase();
    if !HEADER_FORMATS.contains(&format.as_str()) {
        f.add("header.format", "text, image, video, document or location");
        return;
    }
    let text = non_empty(h.text.as_deref());
    let example = non_empty(h.example.as_deref());
    match format.as_str() {
        "text" => {
            let Some(text) = text else {
                f.add("header.text", "a text header needs its text");
                return;
            };
            if chars(text) > MAX_HEADER {
                f.add("header.text", format!("at most {MAX_HEADER} characters"));
            }
            if text.contains('\n') {
                f.add("header.text", "a header is one line");
            }
            let params = placeholders(text);
            if params.len() > 1 {
                f.add("header.text", "a header has at most one parameter");
            } else if let Some(p) = params.first() {
                if !valid_param(draft, p) {
                    f.add("header.text", param_rule(draft));
                } else if !draft.named() && p != "1" {
                    f.add("header.text", "the header's parameter is {{1}}");
                }
                match example {
                    None => f.add("header.example", "an example of the header's parameter"),
                    Some(e) if chars(e) > MAX_EXAMPLE => f.add(
                        "header.example",
                        format!("at most {MAX_EXAMPLE} characters"),
                    ),
                    Some(_) => {}
                }
            }
        }
        "location" => {
            if text.is_some() {
                f.add("header.text", "only a text header has text");
            }
        }
        _ => {
            if text.is_some() {
                f.add("header.text", "only a text header has text");
            }
            match example {
                None => f.add(
                    "header.example",
                    format!("an example {format}: a handle of Meta's resumable upload, or a URL"),
                ),
                Some(e) if chars(e) > MAX_URL => {
                    f.add("header.example", format!("at most {MAX_URL} characters"))
                }
                Some(_) => {}
            }
        }
    }
}

fn body(draft: &TemplateDraft, f: &mut Faults) {
    let text = draft.body.text.trim();
    if text.is_empty() || chars(text) > MAX_BODY {
        f.add("body.text", format!("1 to {MAX_BODY} characters"));
        return;
    }
    let params = placeholders(text);
    if params.iter().any(|p| !valid_param(draft, p)) {
        f.add("body.text", param_rule(draft));
        return;
    }
    if !draft.named() {
        let mut numbers: Vec<usize> = params.iter().filter_map(|p| p.parse().ok()).collect();
        numbers.sort_unstable();
        if numbers.iter().enumerate().any(|(i, n)| *n != i + 1) {
            f.add(
                "body.text",
                "number the parameters {{1}}, {{2}}, {{3}}… without gaps",
            );
            return;
        }
    }
    if text.starts_with("{{") || text.ends_with("}}") {
        f.add(
            "body.text",
            "the body may not start or end with a parameter: add words around it",
        );
    }
    for p in &params {
        match non_empty(draft.body.examples.get(p).map(String::as_str)) {
            None => f.add(
                format!("body.examples.{p}"),
                format!("an example of {{{{{p}}}}}"),
            ),
            Some(e) if chars(e) > MAX_EXAMPLE => f.add(
                format!("body.examples.{p}"),
                format!("at most {MAX_EXAMPLE} characters"),
            ),
            Some(e) if e.contains("{{") => {
                f.add(format!("body.examples.{p}"), "an example is plain text")
            }
            Some(_) => {}
        }
    }
    for (k, v) in &draft.body.examples {
        if !params.contains(k) && !v.trim().is_empty() {
            f.add(format!("body.examples.{k}"), "not a parameter of the body");
        }
    }
}

fn buttons(buttons: &[ButtonDraft], f: &mut Faults) {
    if buttons.len() > MAX_BUTTONS {
        f.add("buttons", format!("at most {MAX_BUTTONS} buttons"));
        return;
    }
    let kinds: Vec<String> = buttons
        .iter()
        .map(|b| b.kind.trim().to_lowercase())
        .collect();
    let count = |k: &str| kinds.iter().filter(|x| *x == k).count();
    if count("url") > MAX_URL_BUTTONS {
        f.add("buttons", format!("at most {MAX_URL_BUTTONS} URL buttons"));
    }
    if count("phone_number") > 1 {
        f.add("buttons", "at most one phone number button");
    }
    if count("copy_code") > 1 {
        f.add("buttons", "at most one copy-code button");
    }
    // Quick replies are one group: before or after the other buttons.
    let switches = kinds
        .windows(2)
        .filter(|w| (w[0] == "quick_reply") != (w[1] == "quick_reply"))
        .count();
    if switches > 1 {
        f.add(
            "buttons",
            "keep the quick replies together, before or after the other buttons",
        );
    }
    let mut labels: Vec<String> = Vec::new();
    for (i, (b, kind)) in buttons.iter().zip(&kinds).enumerate() {
        let at = |field: &str| format!("buttons[{i}].{field}");
        if !BUTTON_TYPES.contains(&kind.as_str()) {
            f.add(at("type"), "quick_reply, url, phone_number or copy_code");
            continue;
        }
        let text = non_empty(b.text.as_deref());
        if kind == "copy_code" {
            match non_empty(b.example.as_deref()) {
                None => f.add(at("example"), "an example code"),
                Some(c) if chars(c) > MAX_COPY_CODE => {
                    f.add(at("example"), format!("at most {MAX_COPY_CODE} characters"))
                }
                Some(c) if !c.chars().all(char::is_alphanumeric) => {
                    f.add(at("example"), "letters and digits only")
                }
                Some(_) => {}
            }
            continue;
        }
        match text {
            None => f.add(at("text"), "a label"),
            Some(t) if chars(t) > MAX_BUTTON_TEXT => {
                f.add(at("text"), format!("at most {MAX_BUTTON_TEXT} characters"))
            }
            Some(t) if t.contains("{{") => f.add(at("text"), "a label has no parameters"),
            Some(t) => {
                if labels.contains(&t.to_lowercase()) {
                    f.add(at("text"), "another button has this label");
                }
                labels.push(t.to_lowercase());
            }
        }
        match kind.as_str() {
            "url" => url_button(b, &at, f),
            "phone_number" => {
                let ok = non_empty(b.phone_number.as_deref()).is_some_and(|p| {
                    let digits = p.strip_prefix('+').unwrap_or("");
                    (5..=20).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit())
                });
                if !ok {
                    f.add(
                        at("phone_number"),
                        "+ and the number with its country code, digits only",
                    );
                }
            }
            _ => {}
        }
    }
}

fn url_button(b: &ButtonDraft, at: &dyn Fn(&str) -> String, f: &mut Faults) {
    let Some(url) = non_empty(b.url.as_deref()) else {
        f.add(at("url"), "the address the button opens");
        return;
    };
    if chars(url) > MAX_URL {
        f.add(at("url"), format!("at most {MAX_URL} characters"));
    }
    if !(url.starts_with("https://") || url.starts_with("http://")) || url.contains(' ') {
        f.add(at("url"), "a web address starting with https://");
        return;
    }
    let params = placeholders(url);
    if params.is_empty() {
        return;
    }
    if params != ["1"] || !url.ends_with("{{1}}") || url.matches("{{").count() > 1 {
        f.add(at("url"), "a URL may only end with one parameter, {{1}}");
        return;
    }
    let fixed = url.trim_end_matches("{{1}}");
    match non_empty(b.example.as_deref()) {
        None => f.add(at("example"), "an example of the whole URL"),
        Some(e) if !e.starts_with(fixed) || e.len() == fixed.len() => f.add(
            at("example"),
            format!("the whole URL: {fixed} followed by an example of {{{{1}}}}"),
        ),
        Some(_) => {}
    }
}
