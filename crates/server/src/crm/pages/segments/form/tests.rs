//! Reading the editor's form and its buttons.

use super::*;

fn fields(pairs: &[(&str, &str)]) -> Fields {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

#[test]
fn rows_named_by_path_read_back_as_the_tree_and_its_json() {
    let f = fields(&[
        ("csrf", "x"),
        ("any@", "false"),
        ("field@rules[0]", "tag"),
        ("op@rules[0]", "has"),
        ("value@rules[0]", "0193a0b0-0000-7000-8000-000000000001"),
        ("any@rules[1]", "true"),
        ("field@rules[1].rules[0]", "opted_out"),
        ("op@rules[1].rules[0]", "is"),
        ("value@rules[1].rules[0]", "false"),
        ("field@rules[1].rules[1]", "created_at"),
        ("op@rules[1].rules[1]", "within_days"),
        ("value@rules[1].rules[1]", " 30 "),
        ("field@rules[bad]", "tag"),
    ]);
    let g = read(&f);
    assert!(!g.any);
    assert_eq!(g.items.len(), 2);
    assert_eq!(
        serde_json::Value::Array(g.to_json()),
        json!([
            {"field": "tag", "op": "has", "value": "0193a0b0-0000-7000-8000-000000000001"},
            {"any": true, "rules": [
                {"field": "opted_out", "op": "is", "value": false},
                {"field": "created_at", "op": "within_days", "value": 30},
            ]},
        ])
    );
    let again = from_json(false, &g.to_json());
    assert_eq!(again.to_json(), g.to_json());
}

#[test]
fn buttons_add_and_remove_rows_and_groups() {
    let mut g = FormGroup {
        any: false,
        items: vec![FormNode::Rule(FormRule::new())],
    };
    g.apply("add_group:");
    g.apply("add_rule:rules[1]");
    g.apply("add_group:rules[1]");
    assert_eq!(g.items.len(), 2);
    let FormNode::Group(inner) = &g.items[1] else {
        panic!("a group")
    };
    assert_eq!(inner.items.len(), 3);
    // Groups nest at most three deep: no fourth level.
    g.apply("add_group:rules[1].rules[2]");
    let FormNode::Group(inner) = &g.items[1] else {
        panic!("a group")
    };
    let FormNode::Group(third) = &inner.items[2] else {
        panic!("a group")
    };
    assert_eq!(third.items.len(), 1);
    // Removing a group's last rule removes the group.
    g.apply("remove:rules[1].rules[2].rules[0]");
    g.apply("remove:rules[1].rules[1]");
    g.apply("remove:rules[1].rules[0]");
    assert_eq!(g.items.len(), 1);
    g.apply("remove:rules[7]");
    g.apply("nonsense");
    assert_eq!(g.items.len(), 1);
}

#[test]
fn a_changed_field_gets_an_operator_it_takes() {
    let mut g = FormGroup {
        any: false,
        items: vec![FormNode::Rule(FormRule {
            field: "opted_out".into(),
            op: "has".into(),
            key: "plan".into(),
            value: String::new(),
        })],
    };
    g.normalise();
    let FormNode::Rule(r) = &g.items[0] else {
        panic!("a rule")
    };
    assert_eq!((r.op.as_str(), r.key.as_str()), ("is", ""));
}

#[test]
fn errors_point_at_their_row() {
    assert_eq!(node_of("rules[1].rules[0].value"), "rules[1].rules[0]");
    assert_eq!(node_of("rules[0].rules"), "rules[0]");
    assert_eq!(node_of("rules[50]"), "rules[50]");
    assert_eq!(node_of("rules"), "");
    assert_eq!(node_of("any"), "");
}
