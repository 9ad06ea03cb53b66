//! Compiling a rule tree into one `WHERE` fragment over `contacts`.
//!
//! The fragment is a boolean expression for the row of `contacts` in the
//! outer query (`SELECT … FROM contacts WHERE tenant_id = $1 AND <it>`):
//! `$1` is the tenant, and every value of the tree is a parameter of its
//! own, numbered from the `first` the caller gives. Nothing a user typed
//! is ever part of the SQL text: ids, texts, numbers and times are bound,
//! and an attribute key (checked against `[a-z][a-z0-9_]{0,39}` when the
//! tree was read) is bound too, as the JSON path (`$.key`, SQLite) or the
//! key (PostgreSQL) the engine's JSON functions take.
//!
//! The engines differ only in how they read a JSON value, so [`Json`]
//! holds both spellings and everything else is written once:
//! - SQLite: `json_type(attributes, '$.key')` (`text`, `integer`, `real`,
//!   `true`, `false`, `null`) and `json_extract(attributes, '$.key')`;
//! - PostgreSQL: `jsonb_typeof(attributes::jsonb -> 'key')` (`string`,
//!   `number`, `boolean`, `null`) and `attributes::jsonb ->> 'key'`, cast
//!   to `double precision` for numbers inside a `CASE` (so no other type
//!   is ever cast), and compared `COLLATE "C"` like SQLite's bytes.

use super::{AttrOp, AttrValue, Group, Node, Rule, When};
use crate::Engine;
use domain::Timestamp;
use uuid::Uuid;

/// A parameter of a compiled fragment.
#[derive(Debug, Clone, PartialEq)]
pub enum Arg {
    Uuid(Uuid),
    Text(String),
    Real(f64),
    Int(i64),
}

/// SQL text and its parameters, in placeholder order.
#[derive(Debug, Clone, PartialEq)]
pub struct Fragment {
    pub sql: String,
    pub args: Vec<Arg>,
}

/// What contacts to pick: a rule tree and, for the contact list's search
/// box, a text their name, email, WhatsApp id or phone contains.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    pub rules: Group,
    pub search: Option<String>,
}

/// Compiles `sel` for `engine`, its parameters numbered from `$first`
/// (`$1` must be the tenant). `now` anchors `within_days`.
pub fn compile(sel: &Selection, engine: Engine, now: Timestamp, first: usize) -> Fragment {
    let mut b = Builder {
        engine,
        now,
        first,
        args: Vec::new(),
    };
    let mut sql = b.group(&sel.rules);
    if let Some(s) = sel
        .search
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        let p = b.arg(Arg::Text(crate::page::contains_pattern(s)));
        sql = format!(
            "({sql} AND (LOWER(COALESCE(contacts.name, '')) LIKE {p} ESCAPE '\\' \
             OR LOWER(COALESCE(contacts.profile_name, '')) LIKE {p} ESCAPE '\\' \
             OR LOWER(COALESCE(contacts.email, '')) LIKE {p} ESCAPE '\\' \
             OR COALESCE(contacts.wa_id, '') LIKE {p} ESCAPE '\\' \
             OR COALESCE(contacts.phone, '') LIKE {p} ESCAPE '\\'))"
        );
    }
    Fragment { sql, args: b.args }
}

const DAY_MS: i64 = 86_400_000;

struct Builder {
    engine: Engine,
    now: Timestamp,
    first: usize,
    args: Vec<Arg>,
}

/// How one engine reads attribute `key`'s JSON value.
struct Json {
    /// The value's JSON type name, NULL when the key is missing.
    ty: String,
    /// The value as SQL (text for strings).
    val: String,
    /// The type names of a string, a number and booleans.
    string: &'static str,
    number: &'static str,
}

impl Builder {
    /// Adds a parameter; returns its placeholder.
    fn arg(&mut self, a: Arg) -> String {
        self.args.push(a);
        format!("${}", self.first + self.args.len() - 1)
    }

    fn group(&mut self, g: &Group) -> String {
        if g.rules.is_empty() {
            return "(1 = 1)".to_owned();
        }
        let parts: Vec<String> = g
            .rules
            .iter()
            .map(|n| match n {
                Node::Rule(r) => self.rule(r),
                Node::Group(g) => self.group(g),
            })
            .collect();
        let joiner = if g.any { " OR " } else { " AND " };
        format!("({})", parts.join(joiner))
    }

    fn rule(&mut self, r: &Rule) -> String {
        match r {
            Rule::Tag { has, tag } => {
                let p = self.arg(Arg::Uuid(tag.as_uuid()));
                exists(
                    *has,
                    &format!(
                        "SELECT 1 FROM contact_tags ct WHERE ct.tenant_id = $1 \
                         AND ct.contact_id = contacts.id AND ct.tag_id = {p}"
                    ),
                )
            }
            Rule::OptedOut(true) => "contacts.opted_out_at IS NOT NULL".to_owned(),
            Rule::OptedOut(false) => "contacts.opted_out_at IS NULL".to_owned(),
            Rule::Channel { is, channel } => {
                let p = self.arg(Arg::Uuid(channel.as_uuid()));
                exists(
                    *is,
                    &format!(
                        "SELECT 1 FROM conversations cv WHERE cv.tenant_id = $1 \
                         AND cv.contact_id = contacts.id AND cv.channel_id = {p}"
                    ),
                )
            }
            Rule::DealStage { is, stage } => {
                let p = self.arg(Arg::Uuid(stage.as_uuid()));
                exists(
                    *is,
                    &format!(
                        "SELECT 1 FROM deals d WHERE d.tenant_id = $1 \
                         AND d.contact_id = contacts.id AND d.stage_id = {p} AND d.status = 'open'"
                    ),
                )
            }
            Rule::CreatedAt(when) => {
                let (op, p) = self.moment(when);
                format!("contacts.created_at {op} {p}")
            }
            Rule::LastMessage { inbound, when } => self.last_message(*inbound, when),
            Rule::Attribute { key, op, value } => self.attribute(key, *op, value),
        }
    }

    /// The comparison and parameter of a time condition on one time.
    fn moment(&mut self, when: &When) -> (&'static str, String) {
        match when {
            When::Before(m) => ("<", self.arg(Arg::Int(m.at.as_millis()))),
            When::After(m) => (">=", self.arg(Arg::Int(m.at.as_millis()))),
            When::WithinDays(d) | When::NotWithinDays(d) => {
                let since = self.now.as_millis() - d * DAY_MS;
                let op = if matches!(when, When::WithinDays(_)) {
                    ">="
                } else {
                    "<"
                };
                (op, self.arg(Arg::Int(since)))
            }
        }
    }

    /// The latest message of one direction, over all the contact's
    /// conversations: "after" and "within" ask that one exists since then;
    /// "before" that one exists and none since; "not within" that none
    /// exists since (a contact never messaged matches).
    ///
    /// Both times are kept on the contact with every message
    /// (`contacts.last_inbound_at`: when the customer last wrote, by
    /// WhatsApp's clock; `last_outbound_at`: when we last stored a message
    /// to them), so a count reads each contact's row once and nothing else.
    fn last_message(&mut self, inbound: bool, when: &When) -> String {
        let column = if inbound {
            "contacts.last_inbound_at"
        } else {
            "contacts.last_outbound_at"
        };
        let (_, p) = self.moment(when);
        match when {
            When::After(_) | When::WithinDays(_) => format!("{column} >= {p}"),
            When::NotWithinDays(_) => format!("({column} IS NULL OR {column} < {p})"),
            When::Before(_) => format!("{column} < {p}"),
        }
    }

    fn json(&mut self, key: &str) -> Json {
        match self.engine {
            Engine::Sqlite => {
                let k = self.arg(Arg::Text(format!("$.{key}")));
                Json {
                    ty: format!("json_type(contacts.attributes, {k})"),
                    val: format!("json_extract(contacts.attributes, {k})"),
                    string: "'text'",
                    number: "('integer', 'real')",
                }
            }
            Engine::Postgres => {
                let k = self.arg(Arg::Text(key.to_owned()));
                Json {
                    ty: format!("jsonb_typeof(contacts.attributes::jsonb -> {k}::text)"),
                    val: format!("(contacts.attributes::jsonb ->> {k}::text)"),
                    string: "'string'",
                    number: "('number')",
                }
            }
        }
    }

    fn attribute(&mut self, key: &str, op: AttrOp, value: &AttrValue) -> String {
        let pg = self.engine == Engine::Postgres;
        let j = self.json(key);
        let Json {
            ty,
            val,
            string,
            number,
        } = &j;
        let set = format!("({ty} IS NOT NULL AND {ty} <> 'null')");
        let cmp = match op {
            AttrOp::Eq | AttrOp::Ne => "=",
            AttrOp::Gt => ">",
            AttrOp::Gte => ">=",
            AttrOp::Lt => "<",
            AttrOp::Lte => "<=",
            AttrOp::Contains | AttrOp::IsSet | AttrOp::IsNotSet => "",
        };
        let test = match (op, value) {
            (AttrOp::IsSet, _) => return set,
            (AttrOp::IsNotSet, _) => return format!("NOT {set}"),
            (AttrOp::Contains, AttrValue::Text(t)) => {
                let p = self.arg(Arg::Text(crate::page::contains_pattern(t)));
                format!("({ty} = {string} AND LOWER({val}) LIKE {p} ESCAPE '\\')")
            }
            (_, AttrValue::Text(t)) => {
                let p = self.arg(Arg::Text(t.clone()));
                let c = if pg { " COLLATE \"C\"" } else { "" };
                format!("(CASE WHEN {ty} = {string} THEN {val} END){c} {cmp} {p}")
            }
            (_, AttrValue::Number(n)) => {
                let p = self.arg(Arg::Real(*n));
                let num = if pg {
                    format!("({val})::double precision")
                } else {
                    val.clone()
                };
                format!("(CASE WHEN {ty} IN {number} THEN {num} END) {cmp} {p}")
            }
            (_, AttrValue::Bool(b)) => {
                // SQLite names a boolean's type by its value.
                let p = self.arg(Arg::Text(b.to_string()));
                if pg {
                    format!("({ty} = 'boolean' AND {val} = {p})")
                } else {
                    format!("{ty} = {p}")
                }
            }
            // Read back from a tree checked when it was written: a value
            // that fits no comparison matches nothing.
            (_, AttrValue::None) => "(1 = 0)".to_owned(),
        };
        if op == AttrOp::Ne {
            // A contact without a value is "not equal" too.
            format!("NOT COALESCE({test}, 1 = 0)")
        } else {
            format!("COALESCE({test}, 1 = 0)")
        }
    }
}

fn exists(yes: bool, query: &str) -> String {
    let not = if yes { "" } else { "NOT " };
    format!("{not}EXISTS ({query})")
}

#[cfg(test)]
mod tests;
