//! Reading and writing rule trees.

use super::*;

fn path_of(v: Value) -> String {
    Group::parse(&v).unwrap_err().path
}

#[test]
fn a_tree_reads_back_as_the_json_it_came_from() {
    let tag = TagId::new();
    let v = json!({"any": false, "rules": [
        {"field": "tag", "op": "has", "value": tag},
        {"field": "opted_out", "op": "is", "value": false},
        {"any": true, "rules": [
            {"field": "attribute", "key": "plan", "op": "eq", "value": "gold"},
            {"field": "attribute", "key": "score", "op": "gte", "value": 7.5},
            {"field": "attribute", "key": "vip", "op": "is_set"},
            {"field": "last_inbound_at", "op": "within_days", "value": 30},
            {"field": "created_at", "op": "before", "value": "2026-01-31"},
        ]},
    ]});
    let g = Group::parse(&v).unwrap();
    assert_eq!(g.rule_count(), 7);
    assert_eq!(g.to_json(), v);
    assert_eq!(Group::parse(&g.to_json()).unwrap(), g);
}

#[test]
fn errors_name_the_path_of_the_bad_rule() {
    let ok = json!({"field": "opted_out", "op": "is", "value": true});
    assert_eq!(
        path_of(json!({"rules": [ok, ok, {"rules": [{"field": "tag", "op": "is"}]}]})),
        "rules[2].rules[0].op"
    );
    assert_eq!(
        path_of(json!({"rules": [{"field": "tag", "op": "has", "value": "x"}]})),
        "rules[0].value"
    );
    assert_eq!(
        path_of(json!({"rules": [{"field": "colour", "op": "is"}]})),
        "rules[0].field"
    );
    assert_eq!(
        path_of(
            json!({"rules": [{"field": "attribute", "key": "Plan", "op": "eq", "value": "x"}]})
        ),
        "rules[0].key"
    );
    assert_eq!(
        path_of(json!({"rules": [{"field": "opted_out", "op": "is", "value": true, "key": "a"}]})),
        "rules[0].key"
    );
    assert_eq!(path_of(json!({"any": "yes", "rules": []})), "any");
    assert_eq!(path_of(json!({"any": true})), "rules");
    assert_eq!(
        path_of(json!({"rules": [{"any": true, "rules": []}]})),
        "rules[0].rules"
    );
    assert_eq!(path_of(json!({"rules": [{"colour": 1}]})), "rules[0]");
    assert_eq!(path_of(json!({"rules": [ok], "name": 1})), "name");
}

#[test]
fn depth_and_size_are_bounded() {
    let rule = json!({"field": "opted_out", "op": "is", "value": true});
    let deep = json!({"rules": [{"rules": [{"rules": [rule]}]}]});
    assert!(Group::parse(&deep).is_ok());
    let deeper = json!({"rules": [{"rules": [{"rules": [{"rules": [rule]}]}]}]});
    assert_eq!(path_of(deeper), "rules[0].rules[0].rules[0]");
    let many: Vec<Value> = (0..51).map(|_| rule.clone()).collect();
    assert_eq!(path_of(json!({ "rules": many })), "rules[50]");
}

#[test]
fn values_must_fit_their_operator() {
    let attr = |op: &str, value: Value| {
        Group::parse(&json!({"rules": [
            {"field": "attribute", "key": "a", "op": op, "value": value}
        ]}))
    };
    assert!(attr("eq", json!(true)).is_ok());
    assert!(attr("gt", json!(true)).is_err());
    assert!(attr("contains", json!(3)).is_err());
    assert!(attr("is_set", json!("x")).is_err());
    assert!(attr("eq", json!("")).is_err());
    assert!(attr("eq", json!("x".repeat(201))).is_err());
    let days = |v: Value| {
        Group::parse(&json!({"rules": [
            {"field": "created_at", "op": "within_days", "value": v}
        ]}))
    };
    assert!(days(json!(1)).is_ok());
    assert!(days(json!(0)).is_err());
    assert!(days(json!(3651)).is_err());
    assert!(days(json!(1.5)).is_err());
    assert_eq!(
        Moment::parse("2026-01-31").unwrap().at,
        Timestamp::parse_rfc3339("2026-01-31T00:00:00Z").unwrap()
    );
    assert!(Moment::parse("2026-02-30").is_none());
    assert!(Moment::parse("yesterday").is_none());
}

#[test]
fn keys_are_plain_lower_case_names() {
    assert!(valid_key("plan"));
    assert!(valid_key("a1_b"));
    assert!(!valid_key("1a"));
    assert!(!valid_key("a.b"));
    assert!(!valid_key("a') OR 1=1 --"));
    assert!(!valid_key(&"a".repeat(41)));
}
