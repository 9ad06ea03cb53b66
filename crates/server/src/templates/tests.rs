//! Unit tests of the pure parts: Meta's rules ([`super::validate`]), the
//! draft's components ([`super::draft`]), the renderer
//! ([`super::layout`]) and sends ([`super::send`]).

use super::draft::{BodyDraft, ButtonDraft, HeaderDraft, TemplateDraft};
use super::layout::{Layout, Values, values_of_sent};
use super::validate::validate;
use serde_json::json;
use std::collections::BTreeMap;

fn examples(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

fn draft() -> TemplateDraft {
    TemplateDraft {
        name: "order_update".into(),
        language: "en_US".into(),
        category: "utility".into(),
        parameter_format: "positional".into(),
        header: Some(HeaderDraft {
            format: "text".into(),
            text: Some("Order {{1}}".into()),
            example: Some("#1234".into()),
        }),
        body: BodyDraft {
            text: "Hi {{1}}, your order ships on {{2}}.".into(),
            examples: examples(&[("1", "Ana"), ("2", "May 3")]),
        },
        footer: Some("Reply STOP to opt out".into()),
        buttons: vec![
            ButtonDraft {
                kind: "quick_reply".into(),
                text: Some("Track".into()),
                ..ButtonDraft::default()
            },
            ButtonDraft {
                kind: "url".into(),
                text: Some("Details".into()),
                url: Some("https://ex.com/o/{{1}}".into()),
                example: Some("https://ex.com/o/1234".into()),
                ..ButtonDraft::default()
            },
        ],
    }
}

/// The fields a refusal names.
fn faults(d: &TemplateDraft) -> Vec<String> {
    validate(d)
        .expect_err("refused")
        .into_iter()
        .map(|f| f.field)
        .collect()
}

#[test]
fn a_good_draft_becomes_the_reference_definition() {
    let def = validate(&draft()).expect("valid");
    assert_eq!(def.name, "order_update");
    assert_eq!(def.category, "UTILITY");
    assert_eq!(def.parameter_format.as_deref(), Some("POSITIONAL"));
    let components = serde_json::to_value(&def.components).unwrap();
    assert_eq!(
        components,
        json!([
          {"type":"HEADER","format":"TEXT","text":"Order {{1}}","example":{"header_text":["#1234"]}},
          {"type":"BODY","text":"Hi {{1}}, your order ships on {{2}}.","example":{"body_text":[["Ana","May 3"]]}},
          {"type":"FOOTER","text":"Reply STOP to opt out"},
          {"type":"BUTTONS","buttons":[{"type":"QUICK_REPLY","text":"Track"},
            {"type":"URL","text":"Details","url":"https://ex.com/o/{{1}}","example":["https://ex.com/o/1234"]}]}
        ])
    );
}

#[test]
fn names_languages_and_categories_follow_meta() {
    let mut d = draft();
    d.name = "Order Update".into();
    d.language = "english".into();
    d.category = "promotions".into();
    assert_eq!(faults(&d), ["name", "language", "category"]);
    d = draft();
    d.name = "a".repeat(513);
    assert_eq!(faults(&d), ["name"]);
    d.name = "x_1".into();
    d.category = "AUTHENTICATION".into();
    assert_eq!(faults(&d), ["category"]);
    for ok in ["en", "fil", "pt_BR", "es_419", "zh_HK"] {
        d = draft();
        d.language = ok.into();
        assert!(validate(&d).is_ok(), "{ok}");
    }
}

#[test]
fn positional_parameters_are_numbered_without_gaps_and_each_has_an_example() {
    let mut d = draft();
    d.body.text = "Hi {{1}}, order {{3}} is ready.".into();
    d.body.examples = examples(&[("1", "Ana"), ("3", "x")]);
    assert_eq!(faults(&d), ["body.text"]);
    d.body.text = "Hi {{1}}, order {{2}} is ready.".into();
    d.body.examples = examples(&[("1", "Ana")]);
    assert_eq!(faults(&d), ["body.examples.2"]);
    d.body.text = "Hi {{first_name}}, welcome.".into();
    assert_eq!(faults(&d), ["body.text"], "a name in a positional template");
    d.body.text = "{{1}} is here".into();
    d.body.examples = examples(&[("1", "Ana")]);
    assert_eq!(faults(&d), ["body.text"], "starts with a parameter");
    d.body.text = "Welcome.".into();
    assert_eq!(faults(&d), ["body.examples.1"], "an example of nothing");
    d.body.text = String::new();
    d.body.examples.clear();
    assert_eq!(faults(&d), ["body.text"]);
    d.body.text = "x".repeat(1025);
    assert_eq!(faults(&d), ["body.text"]);
}

#[test]
fn named_parameters_are_lower_case_names_with_named_examples() {
    let mut d = draft();
    d.parameter_format = "named".into();
    d.header = Some(HeaderDraft {
        format: "text".into(),
        text: Some("Order {{order_id}}".into()),
        example: Some("#1234".into()),
    });
    d.body = BodyDraft {
        text: "Hi {{first_name}}, it ships {{day}}.".into(),
        examples: examples(&[("first_name", "Ana"), ("day", "today")]),
    };
    let def = validate(&d).expect("valid");
    assert_eq!(def.parameter_format.as_deref(), Some("NAMED"));
    let c = serde_json::to_value(&def.components).unwrap();
    assert_eq!(
        c[1]["example"],
        json!({"body_text_named_params": [
            {"param_name": "first_name", "example": "Ana"},
            {"param_name": "day", "example": "today"}]})
    );
    assert_eq!(
        c[0]["example"],
        json!({"header_text_named_params": [{"param_name": "order_id", "example": "#1234"}]})
    );
    d.body.text = "Hi {{1}}, it ships {{Day}}.".into();
    assert_eq!(faults(&d), ["body.text"]);
}

#[test]
fn headers_footers_and_buttons_keep_to_their_limits() {
    let mut d = draft();
    d.header = Some(HeaderDraft {
        format: "text".into(),
        text: Some("Order {{1}} of {{2}}".into()),
        example: Some("x".into()),
    });
    d.footer = Some("Reply {{1}}".into());
    assert_eq!(faults(&d), ["header.text", "footer"]);
    d = draft();
    d.header = Some(HeaderDraft {
        format: "image".into(),
        text: None,
        example: None,
    });
    assert_eq!(faults(&d), ["header.example"]);
    d.header = Some(HeaderDraft {
        format: "gif".into(),
        ..HeaderDraft::default()
    });
    assert_eq!(faults(&d), ["header.format"]);

    let quick = |t: &str| ButtonDraft {
        kind: "quick_reply".into(),
        text: Some(t.into()),
        ..ButtonDraft::default()
    };
    let url = |u: &str, e: Option<&str>| ButtonDraft {
        kind: "url".into(),
        text: Some(format!("Open {}", u.len())),
        url: Some(u.into()),
        example: e.map(str::to_owned),
        ..ButtonDraft::default()
    };
    d = draft();
    d.buttons = (0..11).map(|i| quick(&format!("b{i}"))).collect();
    assert_eq!(faults(&d), ["buttons"]);
    d.buttons = vec![quick("Yes"), url("https://a.io", None), quick("No")];
    assert_eq!(faults(&d), ["buttons"], "quick replies are one group");
    d.buttons = vec![quick("Yes"), quick("yes")];
    assert_eq!(faults(&d), ["buttons[1].text"], "labels are unique");
    d.buttons = vec![quick(&"x".repeat(26))];
    assert_eq!(faults(&d), ["buttons[0].text"]);
    d.buttons = vec![url("ftp://a.io", None)];
    assert_eq!(faults(&d), ["buttons[0].url"]);
    d.buttons = vec![url("https://a.io/{{1}}/x", Some("https://a.io/1/x"))];
    assert_eq!(faults(&d), ["buttons[0].url"], "only at the end");
    d.buttons = vec![url("https://a.io/{{1}}", None)];
    assert_eq!(faults(&d), ["buttons[0].example"]);
    d.buttons = vec![url("https://a.io/{{1}}", Some("https://b.io/1"))];
    assert_eq!(faults(&d), ["buttons[0].example"]);
    d.buttons = vec![
        url("https://a.io", None),
        url("https://bb.io", None),
        url("https://ccc.io", None),
    ];
    assert_eq!(faults(&d), ["buttons"]);
    let phone = |p: &str| ButtonDraft {
        kind: "phone_number".into(),
        text: Some("Call".into()),
        phone_number: Some(p.into()),
        ..ButtonDraft::default()
    };
    d.buttons = vec![phone("5550001111")];
    assert_eq!(faults(&d), ["buttons[0].phone_number"]);
    d.buttons = vec![phone("+15550001111")];
    assert!(validate(&d).is_ok());
    let code = |c: &str| ButtonDraft {
        kind: "copy_code".into(),
        example: Some(c.into()),
        ..ButtonDraft::default()
    };
    d.buttons = vec![code("SAVE-20")];
    assert_eq!(faults(&d), ["buttons[0].example"]);
    d.buttons = vec![code("SAVE20"), code("MORE")];
    assert_eq!(faults(&d), ["buttons"]);
    d.buttons = vec![ButtonDraft {
        kind: "flow".into(),
        ..ButtonDraft::default()
    }];
    assert_eq!(faults(&d), ["buttons[0].type"]);
}

#[test]
fn the_renderer_fills_values_then_examples_then_names() {
    let layout = Layout::from_components(&draft().components());
    let shown = layout.render(&Values::default());
    assert_eq!(shown.header.as_deref(), Some("Order #1234"));
    assert_eq!(shown.body, "Hi Ana, your order ships on May 3.");
    assert_eq!(shown.footer.as_deref(), Some("Reply STOP to opt out"));
    assert_eq!(shown.buttons[0].text, "Track");
    assert_eq!(
        shown.buttons[1].target.as_deref(),
        Some("https://ex.com/o/1234")
    );
    let mut values = Values::default();
    values.body.insert("1".into(), "Bruno".into());
    values.buttons.insert("1".into(), "77".into());
    let shown = layout.render(&values);
    assert_eq!(shown.body, "Hi Bruno, your order ships on May 3.");
    assert_eq!(
        shown.buttons[1].target.as_deref(),
        Some("https://ex.com/o/77")
    );
    // Without examples, a missing value shows its name.
    let bare = Layout::from_components(&json!([{"type": "BODY", "text": "Hello {{1}}!"}]));
    assert_eq!(bare.render(&Values::default()).body, "Hello {{1}}!");
    let keys: Vec<String> = layout
        .variables()
        .into_iter()
        .map(|v| format!("{}.{}", v.component, v.key))
        .collect();
    assert_eq!(keys, ["header.1", "body.1", "body.2", "button.1"]);
}

#[test]
fn a_sent_message_renders_with_its_own_values() {
    let layout = Layout::from_components(&draft().components());
    let sent = json!({"name": "order_update", "language": {"code": "en_US"}, "components": [
        {"type": "header", "parameters": [{"type": "text", "text": "#9"}]},
        {"type": "body", "parameters": [{"type": "text", "text": "Rita"}, {"type": "text", "text": "Friday"}]},
        {"type": "button", "sub_type": "url", "index": "1", "parameters": [{"type": "text", "text": "9"}]}]});
    let shown = layout.render(&values_of_sent(&sent));
    assert_eq!(shown.header.as_deref(), Some("Order #9"));
    assert_eq!(shown.body, "Hi Rita, your order ships on Friday.");
    assert_eq!(
        shown.buttons[1].target.as_deref(),
        Some("https://ex.com/o/9")
    );
}

#[test]
fn a_send_needs_every_value_and_names_named_parameters() {
    let mut d = draft();
    let t = |d: &TemplateDraft| store::templates::Template {
        id: domain::TemplateId::new(),
        waba_id: "1".into(),
        meta_id: None,
        name: d.name.clone(),
        language: d.language.clone(),
        category: "UTILITY".into(),
        status: "APPROVED".into(),
        parameter_format: Some(d.meta_parameter_format().into()),
        components: d.components(),
        quality: None,
        rejected_reason: None,
        synced_at: None,
        created_at: domain::Timestamp::from_millis(0),
        updated_at: domain::Timestamp::from_millis(0),
    };
    let mut values = Values::default();
    values.body.insert("1".into(), "Ana".into());
    let err = super::send::send_content(&t(&d), &values).unwrap_err();
    let crate::error::AppError::Validation(fields) = err else {
        panic!("a validation error")
    };
    let fields: Vec<_> = fields.into_iter().map(|f| f.field).collect();
    assert_eq!(
        fields,
        ["values.header.1", "values.body.2", "values.buttons.1"]
    );
    values.header.insert("1".into(), "#5".into());
    values.body.insert("2".into(), "Monday".into());
    values.buttons.insert("1".into(), "5".into());
    let send = serde_json::to_value(super::send::send_content(&t(&d), &values).unwrap()).unwrap();
    assert_eq!(
        send["components"],
        json!([
          {"type": "header", "parameters": [{"type": "text", "text": "#5"}]},
          {"type": "body", "parameters": [{"type": "text", "text": "Ana"}, {"type": "text", "text": "Monday"}]},
          {"type": "button", "sub_type": "url", "index": "1", "parameters": [{"type": "text", "text": "5"}]}
        ])
    );
    d.parameter_format = "named".into();
    d.header = None;
    d.buttons.clear();
    d.body = BodyDraft {
        text: "Hi {{first_name}}!".into(),
        examples: examples(&[("first_name", "Ana")]),
    };
    let mut values = Values::default();
    values.body.insert("first_name".into(), "Rita".into());
    let send = serde_json::to_value(super::send::send_content(&t(&d), &values).unwrap()).unwrap();
    assert_eq!(
        send["components"][0]["parameters"][0],
        json!({"type": "text", "text": "Rita", "parameter_name": "first_name"})
    );
}
