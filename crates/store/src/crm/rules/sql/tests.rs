//! The SQL the compiler writes, for each kind of rule and both engines.

use super::*;
use crate::crm::rules::Moment;
use domain::{ChannelId, StageId, TagId};
use serde_json::{Value, json};

const NOW: i64 = 1_800_000_000_000;

fn compile_json(v: Value, engine: Engine) -> Fragment {
    let sel = Selection {
        rules: Group::parse(&v).unwrap(),
        search: None,
    };
    compile(&sel, engine, Timestamp::from_millis(NOW), 2)
}

fn one(rule: Value, engine: Engine) -> Fragment {
    compile_json(json!({ "rules": [rule] }), engine)
}

#[test]
fn an_empty_tree_matches_everyone() {
    let f = compile_json(json!({"rules": []}), Engine::Sqlite);
    assert_eq!(f.sql, "(1 = 1)");
    assert!(f.args.is_empty());
}

#[test]
fn groups_join_with_and_or_or_and_number_parameters_in_order() {
    let (t1, t2) = (TagId::new(), TagId::new());
    let f = compile_json(
        json!({"any": false, "rules": [
            {"field": "opted_out", "op": "is", "value": false},
            {"any": true, "rules": [
                {"field": "tag", "op": "has", "value": t1},
                {"field": "tag", "op": "has_not", "value": t2},
            ]},
        ]}),
        Engine::Postgres,
    );
    assert_eq!(
        f.sql,
        "(contacts.opted_out_at IS NULL AND (\
         EXISTS (SELECT 1 FROM contact_tags ct WHERE ct.tenant_id = $1 \
         AND ct.contact_id = contacts.id AND ct.tag_id = $2) OR \
         NOT EXISTS (SELECT 1 FROM contact_tags ct WHERE ct.tenant_id = $1 \
         AND ct.contact_id = contacts.id AND ct.tag_id = $3)))"
    );
    assert_eq!(
        f.args,
        vec![Arg::Uuid(t1.as_uuid()), Arg::Uuid(t2.as_uuid())]
    );
}

#[test]
fn deals_and_channels_are_subqueries_and_times_columns_with_bound_values() {
    let stage = StageId::new();
    let f = one(
        json!({"field": "deal_stage", "op": "is", "value": stage}),
        Engine::Sqlite,
    );
    assert!(
        f.sql
            .starts_with("(EXISTS (SELECT 1 FROM deals d WHERE d.tenant_id = $1")
    );
    assert!(f.sql.contains("d.stage_id = $2 AND d.status = 'open'"));
    assert_eq!(f.args, vec![Arg::Uuid(stage.as_uuid())]);

    let ch = ChannelId::new();
    let f = one(
        json!({"field": "channel", "op": "is_not", "value": ch}),
        Engine::Sqlite,
    );
    assert!(
        f.sql
            .starts_with("(NOT EXISTS (SELECT 1 FROM conversations cv")
    );
    assert!(f.sql.contains("cv.channel_id = $2"));

    let f = one(
        json!({"field": "last_inbound_at", "op": "within_days", "value": 7}),
        Engine::Postgres,
    );
    assert_eq!(f.sql, "(contacts.last_inbound_at >= $2)");
    assert_eq!(f.args, vec![Arg::Int(NOW - 7 * 86_400_000)]);

    let f = one(
        json!({"field": "last_outbound_at", "op": "before", "value": "2026-01-31"}),
        Engine::Sqlite,
    );
    let at = Moment::parse("2026-01-31").unwrap().at.as_millis();
    assert_eq!(f.sql, "(contacts.last_outbound_at < $2)");
    assert_eq!(f.args, vec![Arg::Int(at)]);

    let f = one(
        json!({"field": "last_outbound_at", "op": "not_within_days", "value": 30}),
        Engine::Sqlite,
    );
    assert_eq!(
        f.sql,
        "((contacts.last_outbound_at IS NULL OR contacts.last_outbound_at < $2))"
    );

    let f = one(
        json!({"field": "created_at", "op": "after", "value": "2026-01-31T10:00:00Z"}),
        Engine::Postgres,
    );
    assert_eq!(f.sql, "(contacts.created_at >= $2)");
}

#[test]
fn attributes_read_json_differently_on_each_engine_with_the_key_bound() {
    let rule = json!({"field": "attribute", "key": "plan", "op": "eq", "value": "gold"});
    let f = one(rule.clone(), Engine::Sqlite);
    assert_eq!(
        f.sql,
        "(COALESCE((CASE WHEN json_type(contacts.attributes, $2) = 'text' \
         THEN json_extract(contacts.attributes, $2) END) = $3, 1 = 0))"
    );
    assert_eq!(
        f.args,
        vec![Arg::Text("$.plan".into()), Arg::Text("gold".into())]
    );
    let f = one(rule, Engine::Postgres);
    assert_eq!(
        f.sql,
        "(COALESCE((CASE WHEN jsonb_typeof(contacts.attributes::jsonb -> $2::text) = 'string' \
         THEN (contacts.attributes::jsonb ->> $2::text) END) COLLATE \"C\" = $3, 1 = 0))"
    );
    assert_eq!(
        f.args,
        vec![Arg::Text("plan".into()), Arg::Text("gold".into())]
    );

    let f = one(
        json!({"field": "attribute", "key": "score", "op": "gte", "value": 7}),
        Engine::Postgres,
    );
    assert!(f.sql.contains("IN ('number') THEN ((contacts.attributes::jsonb ->> $2::text))::double precision END) >= $3"));
    assert_eq!(f.args[1], Arg::Real(7.0));

    let f = one(
        json!({"field": "attribute", "key": "vip", "op": "ne", "value": true}),
        Engine::Sqlite,
    );
    assert_eq!(
        f.sql,
        "(NOT COALESCE(json_type(contacts.attributes, $2) = $3, 1 = 0))"
    );
    assert_eq!(f.args[1], Arg::Text("true".into()));

    let f = one(
        json!({"field": "attribute", "key": "city", "op": "contains", "value": "50%_off"}),
        Engine::Sqlite,
    );
    assert!(f.sql.contains("LIKE $3 ESCAPE '\\'"));
    assert_eq!(f.args[1], Arg::Text("%50\\%\\_off%".into()));

    let f = one(
        json!({"field": "attribute", "key": "city", "op": "is_not_set"}),
        Engine::Postgres,
    );
    assert!(f.sql.starts_with("(NOT (jsonb_typeof("));
    assert_eq!(f.args.len(), 1);
}

#[test]
fn nothing_typed_reaches_the_sql_text() {
    let evil = "x' OR 1=1; DROP TABLE contacts; --";
    let f = compile(
        &Selection {
            rules: Group::parse(&json!({"rules": [
                {"field": "attribute", "key": "plan", "op": "eq", "value": evil},
                {"field": "attribute", "key": "plan", "op": "contains", "value": evil},
            ]}))
            .unwrap(),
            search: Some(evil.to_owned()),
        },
        Engine::Postgres,
        Timestamp::from_millis(NOW),
        2,
    );
    assert!(!f.sql.contains("DROP"));
    assert!(f.sql.contains("LIKE $6 ESCAPE"));
    assert_eq!(f.args.len(), 5);
}
