use super::*;
use serde_json::json;

fn var(p: &str, text: &str, fallback: Option<&str>) -> Variable {
    Variable {
        parameter: p.into(),
        text: text.into(),
        fallback: fallback.map(str::to_owned),
    }
}

fn contact(name: Option<&str>) -> Contact {
    let mut attributes = serde_json::Map::new();
    attributes.insert("city".into(), json!("Porto"));
    Contact {
        id: domain::ContactId::new(),
        wa_id: Some("351912345678".into()),
        user_id: None,
        profile_name: None,
        username: None,
        phone: Some("+351912345678".into()),
        opted_out_at: None,
        identity_changed_at: None,
        name: name.map(str::to_owned),
        email: None,
        language: None,
        attributes,
        created_at: domain::Timestamp::from_millis(0),
        updated_at: domain::Timestamp::from_millis(0),
        tags: Vec::new(),
    }
}

#[test]
fn parameters_are_read_from_the_body_in_order_once_each() {
    let c = json!([
        {"type": "HEADER", "format": "TEXT", "text": "Hi {{9}}"},
        {"type": "BODY", "text": "Hello {{1}}, your {{2}} is ready. {{1}}!"},
    ]);
    assert_eq!(template_parameters(&c), ["header.9", "1", "2"]);
    let named = json!([{"type": "BODY", "text": "Hi {{ first_name }}"}]);
    assert_eq!(template_parameters(&named), ["first_name"]);
    assert!(template_parameters(&json!([])).is_empty());
}

#[test]
fn headers_and_buttons_take_their_parameters_where_meta_expects_them() {
    let c = json!([
        {"type": "HEADER", "format": "IMAGE"},
        {"type": "BODY", "text": "Hi {{1}}"},
        {"type": "BUTTONS", "buttons": [
            {"type": "QUICK_REPLY", "text": "Stop"},
            {"type": "URL", "text": "Track", "url": "https://x.example/t/{{1}}"},
            {"type": "COPY_CODE", "example": "SAVE10"}
        ]}
    ]);
    let params = template_parameters(&c);
    assert_eq!(params, ["header.image", "1", "button.1", "code.2"]);
    let vars = vec![
        var("code.2", "SAVE10", None),
        var("1", "{{contact.first_name}}", Some("there")),
        var("header.image", "https://x.example/p.jpg", None),
        var("button.1", "{{contact.city}}", None),
    ];
    let vars = check(vars, &params).unwrap();
    let t = message_for("promo", "en_US", &vars, &contact(Some("Ana"))).unwrap();
    let v = serde_json::to_value(&t).unwrap();
    assert_eq!(v["components"][0]["type"], "header");
    assert_eq!(
        v["components"][0]["parameters"][0]["image"]["link"],
        "https://x.example/p.jpg"
    );
    assert_eq!(v["components"][1]["parameters"][0]["text"], "Ana");
    assert_eq!(v["components"][2]["sub_type"], "url");
    assert_eq!(v["components"][2]["index"], "1");
    assert_eq!(v["components"][2]["parameters"][0]["text"], "Porto");
    assert_eq!(v["components"][3]["sub_type"], "copy_code");
    assert_eq!(v["components"][3]["parameters"][0]["coupon_code"], "SAVE10");
    let not_a_link = vec![
        var("header.image", "a picture", None),
        var("1", "x", None),
        var("button.1", "x", None),
        var("code.2", "x", None),
    ];
    assert!(check(not_a_link, &params).is_err());
}

#[test]
fn every_parameter_needs_exactly_one_value() {
    let params = ["1".to_owned(), "2".to_owned()];
    let both = vec![var("2", "B", None), var("1", "A", None)];
    let ordered = check(both, &params).unwrap();
    assert_eq!(ordered[0].parameter, "1", "in the template's order");
    assert!(
        check(vec![var("1", "A", None)], &params).is_err(),
        "missing {{2}}"
    );
    let twice = vec![
        var("1", "A", None),
        var("1", "A", None),
        var("2", "B", None),
    ];
    assert!(check(twice, &params).is_err());
    let unknown = vec![
        var("1", "A", None),
        var("2", "B", None),
        var("3", "C", None),
    ];
    assert!(check(unknown, &params).is_err());
    assert!(check(vec![var("1", " ", None), var("2", "B", None)], &params).is_err());
}

#[test]
fn values_come_from_the_contact_or_the_fallback_or_the_recipient_is_left_out() {
    let vars = [
        var("1", "{{contact.first_name}}", Some("there")),
        var("2", "{{contact.city}} store", None),
    ];
    let t = message_for("offer", "en_US", &vars, &contact(Some("Ana Lima"))).unwrap();
    let body = serde_json::to_value(&t).unwrap();
    assert_eq!(body["components"][0]["parameters"][0]["text"], "Ana");
    assert_eq!(
        body["components"][0]["parameters"][1]["text"],
        "Porto store"
    );
    let t = message_for("offer", "en_US", &vars, &contact(None)).unwrap();
    let body = serde_json::to_value(&t).unwrap();
    assert_eq!(body["components"][0]["parameters"][0]["text"], "there");
    let strict = [var("1", "{{contact.email}}", None)];
    assert_eq!(
        message_for("offer", "en_US", &strict, &contact(None)).unwrap_err(),
        "{{1}}"
    );
    let named = [var("first_name", "{{contact.first_name}}", None)];
    let t = message_for("offer", "en_US", &named, &contact(Some("Bo"))).unwrap();
    let body = serde_json::to_value(&t).unwrap();
    assert_eq!(
        body["components"][0]["parameters"][0]["parameter_name"],
        "first_name"
    );
}
