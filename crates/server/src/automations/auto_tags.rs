//! Auto-tag rules: in order, each puts its tag on the contact whose
//! message (keywords or a pattern) or fields and tags (conditions) match
//! it; a rule may stop the ones after it when it matches. They are applied
//! by the consumer that starts workflow runs ([`super::trigger`]), in the
//! same pass and before the workflows, so a workflow's conditions see the
//! tags: message rules on `message.received`, contact rules when a contact
//! is created, changed, tagged or untagged. Rules only put tags on (a tag
//! already there changes nothing), so rules that answer each other's tags
//! end. Each tag goes on through the
//! tagging rule people use (`contact.tagged`, an audit entry by
//! `system:automation`), and the rule counts its matches.

use super::conditions::{Facts, all_hold, has_keyword};
use super::definition::{self, Condition, Errors, into_result, pattern};
use super::workflows::{check_names, name};
use crate::auth::{TenantCtx, Via};
use crate::crm::tags::{Carrier, set_tag_in};
use crate::error::{AppError, AppResult};
use crate::events::record;
use crate::state::AppState;
use domain::events::{AutoTagRuleRef, Event};
use domain::{AutoTagRuleId, Permission, TagId, Timestamp};
use serde::{Deserialize, Serialize};
use serde_json::json;
use store::auto_tags::AutoTagRule;
use store::events::CursorStart;
use store::{StoreError, TenantTx};
use utoipa::ToSchema;

/// Rules per tenant, at most.
pub const MAX_RULES: usize = 100;

/// What a rule matches.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "on", rename_all = "snake_case", deny_unknown_fields)]
pub enum Matcher {
    /// A customer's message that is one of `keywords` or holds one as a
    /// whole word or phrase (any case), or that `pattern` (a regular
    /// expression, any case) finds something in.
    Message {
        #[serde(default)]
        keywords: Vec<String>,
        #[serde(default)]
        pattern: Option<String>,
    },
    /// A contact, when created, changed, tagged or untagged, for whom every
    /// condition holds (`attribute`, `has_tag`, `lacks_tag`, groups).
    Contact { conditions: Vec<Condition> },
}

impl Matcher {
    pub fn on(&self) -> &'static str {
        match self {
            Matcher::Message { .. } => "message",
            Matcher::Contact { .. } => "contact",
        }
    }

    /// Whether it matches the facts of an event it applies to.
    fn matches(&self, facts: &Facts) -> bool {
        match self {
            Matcher::Message {
                keywords,
                pattern: p,
            } => {
                let Some(text) = facts.message_text.as_deref() else {
                    return false;
                };
                keywords.iter().any(|k| has_keyword(text, k))
                    || p.as_deref()
                        .is_some_and(|p| pattern(p).is_ok_and(|re| re.is_match(text)))
            }
            Matcher::Contact { conditions } => all_hold(conditions, facts),
        }
    }
}

/// What is wrong with `m`, by path (`matcher.keywords[0]`).
fn check(m: &Matcher) -> AppResult<()> {
    let mut errors: Errors = Vec::new();
    match m {
        Matcher::Message { keywords, pattern } => {
            if keywords.is_empty() && pattern.is_none() {
                errors.push(("matcher".into(), "give keywords or a pattern".into()));
            }
            if keywords.len() > definition::MAX_KEYWORDS {
                let most = definition::MAX_KEYWORDS;
                errors.push((
                    "matcher.keywords".into(),
                    format!("at most {most} keywords"),
                ));
            }
            for (i, k) in keywords.iter().enumerate() {
                definition::check_short(k, &format!("matcher.keywords[{i}]"), &mut errors);
            }
            if let Some(p) = pattern {
                definition::check_pattern(p, "matcher.pattern", &mut errors);
            }
        }
        Matcher::Contact { conditions } => {
            if conditions.is_empty() {
                errors.push((
                    "matcher.conditions".into(),
                    "add at least one condition".into(),
                ));
            }
            let about_messages = |c: &Condition| {
                matches!(
                    c,
                    Condition::MessageContains { .. }
                        | Condition::MessageMatches { .. }
                        | Condition::Channel { .. }
                        | Condition::ConversationStatus { .. }
                )
            };
            if conditions.iter().any(about_messages) {
                errors.push((
                    "matcher.conditions".into(),
                    "a contact rule's conditions are about the contact: attribute, has_tag, \
                     lacks_tag, all, any"
                        .into(),
                ));
            }
            definition::check_conditions(conditions, "matcher.conditions", 1, &mut errors);
        }
    }
    into_result(errors)
}

/// A rule with what it matches, read.
#[derive(Debug, Clone)]
pub struct Rule {
    pub stored: AutoTagRule,
    pub matcher: Matcher,
}

impl Rule {
    fn of(stored: AutoTagRule) -> AppResult<Rule> {
        let matcher = serde_json::from_value(stored.matcher.clone()).map_err(AppError::internal)?;
        Ok(Rule { stored, matcher })
    }

    fn event_ref(&self) -> AutoTagRuleRef {
        AutoTagRuleRef {
            auto_tag_rule_id: self.stored.id,
            name: self.stored.name.clone(),
            on: self.matcher.on().to_owned(),
            tag_id: self.stored.tag_id,
            enabled: self.stored.enabled,
            position: self.stored.position,
        }
    }
}

/// A new rule; it goes last unless `position` says where.
#[derive(Debug, Clone)]
pub struct NewRule {
    pub name: String,
    pub enabled: bool,
    pub matcher: Matcher,
    pub tag_id: TagId,
    pub stop: bool,
    pub position: Option<i64>,
}

/// What may change about a rule; `None` leaves it as it is.
#[derive(Debug, Clone, Default)]
pub struct RuleChanges {
    pub name: Option<String>,
    pub enabled: Option<bool>,
    pub matcher: Option<Matcher>,
    pub tag_id: Option<TagId>,
    pub stop: Option<bool>,
    pub position: Option<i64>,
}

/// Positions run from -1,000,000 to 1,000,000.
const MAX_POSITION: i64 = 1_000_000;

fn position(p: i64) -> AppResult<i64> {
    if (-MAX_POSITION..=MAX_POSITION).contains(&p) {
        Ok(p)
    } else {
        Err(AppError::validation(
            "position",
            format!("from -{MAX_POSITION} to {MAX_POSITION}"),
        ))
    }
}

/// `m` checked, with the tags and attributes it names found.
async fn checked(tx: &mut TenantTx, m: &Matcher, tag: TagId) -> AppResult<serde_json::Value> {
    check(m)?;
    let mut names = definition::Names::default();
    if let Matcher::Contact { conditions } = m {
        definition::condition_names(conditions, "matcher.conditions", &mut names);
    }
    names.tags.push(("tag_id".into(), tag));
    check_names(tx, &names, "").await?;
    serde_json::to_value(m).map_err(AppError::internal)
}

fn name_taken(e: StoreError) -> AppError {
    match e {
        StoreError::Conflict(_) => AppError::Conflict(
            "auto_tag_rule_name_taken",
            "another auto-tag rule has this name".into(),
        ),
        other => other.into(),
    }
}

async fn audit(
    tx: &mut TenantTx,
    ctx: &TenantCtx,
    rule: &Rule,
    verb: &str,
    now: Timestamp,
) -> AppResult<()> {
    crate::audit::tenant_change(
        tx,
        ctx,
        now,
        &format!("auto_tag_rule.{verb}"),
        ("auto_tag_rule", rule.stored.id.to_string()),
        json!({ "name": rule.stored.name, "tag_id": rule.stored.tag_id,
                "enabled": rule.stored.enabled, "position": rule.stored.position }),
    )
    .await
}

/// Creates a rule. It applies to messages and contact changes from now on.
pub async fn create_rule(state: &AppState, ctx: &TenantCtx, new: NewRule) -> AppResult<Rule> {
    ctx.require(Permission::CampaignsManage)?;
    let now = state.now();
    let mut tx = state.store.tenant(ctx.tenant_id).await?;
    let matcher = checked(&mut tx, &new.matcher, new.tag_id).await?;
    if tx.list_auto_tag_rules().await?.len() >= MAX_RULES {
        return Err(AppError::Rule(
            "too_many_auto_tag_rules",
            format!("a workspace has at most {MAX_RULES} auto-tag rules"),
        ));
    }
    let position = match new.position {
        Some(p) => position(p)?,
        None => position(tx.next_auto_tag_position().await?)?,
    };
    let stored = AutoTagRule {
        id: AutoTagRuleId::new(),
        name: name(&new.name)?,
        position,
        enabled: new.enabled,
        matcher,
        tag_id: new.tag_id,
        stop: new.stop,
        matches: 0,
        last_matched_at: None,
        created_at: now,
        updated_at: now,
    };
    tx.insert_auto_tag_rule(&stored).await.map_err(name_taken)?;
    // Rules apply from here on, never to history.
    tx.lock_cursor(super::trigger::CONSUMER, CursorStart::Latest)
        .await?;
    let rule = Rule {
        stored,
        matcher: new.matcher,
    };
    record(&mut tx, Event::AutoTagRuleCreated(rule.event_ref()), now);
    audit(&mut tx, ctx, &rule, "create", now).await?;
    tx.commit().await?;
    Ok(rule)
}

/// The tenant's rules, in the order they apply.
pub async fn list_rules(state: &AppState, ctx: &TenantCtx) -> AppResult<Vec<Rule>> {
    ctx.require(Permission::CampaignsManage)?;
    let mut tx = state.store.tenant_read(ctx.tenant_id).await?;
    let rules = tx.list_auto_tag_rules().await?;
    tx.commit().await?;
    rules.into_iter().map(Rule::of).collect()
}

pub async fn get_rule(state: &AppState, ctx: &TenantCtx, id: AutoTagRuleId) -> AppResult<Rule> {
    ctx.require(Permission::CampaignsManage)?;
    let mut tx = state.store.tenant_read(ctx.tenant_id).await?;
    let rule = tx.find_auto_tag_rule(id).await?;
    tx.commit().await?;
    Rule::of(rule)
}

/// Changes a rule (its name, matcher, tag, order, stop, enabled).
pub async fn update_rule(
    state: &AppState,
    ctx: &TenantCtx,
    id: AutoTagRuleId,
    changes: RuleChanges,
) -> AppResult<Rule> {
    ctx.require(Permission::CampaignsManage)?;
    let now = state.now();
    let mut tx = state.store.tenant(ctx.tenant_id).await?;
    let mut rule = Rule::of(tx.find_auto_tag_rule(id).await?)?;
    if let Some(n) = &changes.name {
        rule.stored.name = name(n)?;
    }
    if let Some(m) = changes.matcher {
        rule.matcher = m;
    }
    if let Some(t) = changes.tag_id {
        rule.stored.tag_id = t;
    }
    rule.stored.matcher = checked(&mut tx, &rule.matcher, rule.stored.tag_id).await?;
    if let Some(e) = changes.enabled {
        rule.stored.enabled = e;
    }
    if let Some(s) = changes.stop {
        rule.stored.stop = s;
    }
    if let Some(p) = changes.position {
        rule.stored.position = position(p)?;
    }
    rule.stored.updated_at = now;
    tx.update_auto_tag_rule(&rule.stored)
        .await
        .map_err(name_taken)?;
    record(&mut tx, Event::AutoTagRuleUpdated(rule.event_ref()), now);
    audit(&mut tx, ctx, &rule, "update", now).await?;
    tx.commit().await?;
    Ok(rule)
}

pub async fn delete_rule(state: &AppState, ctx: &TenantCtx, id: AutoTagRuleId) -> AppResult<()> {
    ctx.require(Permission::CampaignsManage)?;
    let now = state.now();
    let mut tx = state.store.tenant(ctx.tenant_id).await?;
    let rule = Rule::of(tx.find_auto_tag_rule(id).await?)?;
    tx.delete_auto_tag_rule(id).await?;
    record(&mut tx, Event::AutoTagRuleDeleted(rule.event_ref()), now);
    audit(&mut tx, ctx, &rule, "delete", now).await?;
    tx.commit().await?;
    Ok(())
}

/// The enabled rules, in order, that apply to events called `event`.
pub fn applying<'a>(rules: &'a [Rule], event: &str) -> Vec<&'a Rule> {
    let on = match event {
        "message.received" => "message",
        "contact.created" | "contact.updated" | "contact.tagged" | "contact.untagged" => "contact",
        _ => return Vec::new(),
    };
    rules
        .iter()
        .filter(|r| r.stored.enabled && r.matcher.on() == on)
        .collect()
}

/// The enabled rules of the tenant, read (a rule whose matcher does not
/// read is logged and left out).
pub async fn enabled_rules(tx: &mut TenantTx) -> store::StoreResult<Vec<Rule>> {
    let mut rules = Vec::new();
    for stored in tx.list_auto_tag_rules().await? {
        if !stored.enabled {
            continue;
        }
        match Rule::of(stored) {
            Ok(r) => rules.push(r),
            Err(e) => tracing::error!(error = %e, "a stored auto-tag rule does not read"),
        }
    }
    Ok(rules)
}

/// Applies `rules` (those [`applying`] to the event) to the contact of
/// `facts`, in order: each that matches tags the contact (and `facts`
/// learn the tag, for the rules and workflows after it); a matching rule
/// that says so stops the rest.
pub async fn apply(
    tx: &mut TenantTx,
    rules: &[&Rule],
    facts: &mut Facts,
    now: Timestamp,
) -> anyhow::Result<()> {
    let Some(contact) = facts.contact.as_ref().map(|c| c.id) else {
        return Ok(());
    };
    let ctx = TenantCtx::system(tx.tenant_id(), Via::Automation);
    for rule in rules {
        if !rule.matcher.matches(facts) {
            continue;
        }
        let tag = rule.stored.tag_id;
        let changed = set_tag_in(tx, &ctx, Carrier::Contact(contact), tag, true, now)
            .await
            .map_err(|e| anyhow::anyhow!("{e:#}"))?;
        if changed {
            tx.count_auto_tag_match(rule.stored.id, now).await?;
            let t = tx.find_tag(tag).await?;
            if let Some(c) = facts.contact.as_mut() {
                c.tags.push(t);
            }
        }
        if rule.stored.stop {
            break;
        }
    }
    Ok(())
}
