//! A due step: its job ([`super::jobs`]) takes the subscriber's row, and
//! if it is still active at that step, sends it — the free-form text while
//! the contact's 24-hour window is open, the step's template otherwise —
//! through the one sending path every sender uses (window, opt-out,
//! quota, the number's state), records it in the subscriber's history and
//! moves the subscriber to the next step (its job queued), all in one
//! transaction that also completes the job. So a step is sent at most
//! once: a crash before the commit leaves nothing, and the job runs
//! again; a replayed job finds the subscriber past its step and does
//! nothing (the history's key, one row per step, backs that up).
//!
//! Before sending, the exit rules are checked on the contact as it is (a
//! reply, the exit or goal tag, an opt-out), in case the consumer of the
//! event log ([`super::exits`]) has not read the event yet. A step the
//! sending rules refuse ends the enrolment (`failed`, or `opted_out`),
//! in a fresh transaction, so nothing of the refused attempt stays.

use super::definition::{Definition, DripStep};
use super::enrol::{due, exit, subscriber_ref};
use super::jobs;
use super::rules::read;
use crate::channels::send::{Lane, Outgoing, SentBy, queue_message};
use crate::error::{AppError, AppResult};
use crate::events::record;
use crate::scheduled::Content;
use crate::state::AppState;
use domain::events::Event;
use domain::messaging::WaId;
use domain::{DripSubscriberId, TenantId, Timestamp};
use store::drips::{DripSend, DripSubscriber, SubscriberStatus};
use store::inbox::Contact;
use store::{StoreError, TenantTx};

/// What [`run_step`] came to.
pub enum Stepped {
    /// Nothing to do (ended, moved on, or gone).
    Nothing,
    /// Commit this transaction (with the job's completion).
    Commit(TenantTx),
    /// Woken before the step's time: try again then.
    NotYet(Timestamp),
}

/// Takes subscriber `id` of `tenant` through step `step` if it is due.
/// An error is internal: the job tries again later.
pub async fn run_step(
    state: &AppState,
    tenant: TenantId,
    id: DripSubscriberId,
    step: i64,
) -> anyhow::Result<Stepped> {
    let now = state.now();
    let mut tx = state.store.tenant(tenant).await?;
    let Some((mut s, def, contact)) = take(&mut tx, id, step).await? else {
        return Ok(Stepped::Nothing);
    };
    if let Some(at) = s.next_at.filter(|at| *at > now) {
        return Ok(Stepped::NotYet(at));
    }
    let index = usize::try_from(step)?;
    let Some(this) = def.steps.get(index) else {
        // Steps were removed by an edit: the enrolment is complete.
        complete(&mut tx, &mut s, now).await?;
        return Ok(Stepped::Commit(tx));
    };
    if let Some(reason) = exit_reason(&mut tx, &s, &def, &contact).await? {
        exit(&mut tx, &mut s, reason, None, now).await?;
        return Ok(Stepped::Commit(tx));
    }
    match send(&mut tx, &contact, this, now).await {
        Ok((outcome, kind, message_id, detail)) => {
            tx.insert_drip_send(&DripSend {
                subscriber_id: s.id,
                step,
                drip_id: s.drip_id,
                outcome: outcome.into(),
                kind: kind.into(),
                message_id,
                detail,
                created_at: now,
            })
            .await?;
            advance(&mut tx, &mut s, &def, &contact, now).await?;
            Ok(Stepped::Commit(tx))
        }
        Err(e) => {
            let Some((code, reason)) = e.refusal() else {
                return Err(anyhow::anyhow!("{e:#}"));
            };
            // Nothing of the refused attempt stays.
            drop(tx);
            let mut tx = state.store.tenant(tenant).await?;
            let Some((mut s, ..)) = take(&mut tx, id, step).await? else {
                return Ok(Stepped::Nothing);
            };
            let detail = format!("{code}: {reason}");
            tx.insert_drip_send(&DripSend {
                subscriber_id: s.id,
                step,
                drip_id: s.drip_id,
                outcome: "failed".into(),
                kind: String::new(),
                message_id: None,
                detail: Some(detail.clone()),
                created_at: now,
            })
            .await?;
            let why = if code == "contact_opted_out" {
                "opted_out"
            } else {
                "failed"
            };
            exit(&mut tx, &mut s, why, Some(detail), now).await?;
            Ok(Stepped::Commit(tx))
        }
    }
}

/// The subscriber (taken), its drip's definition and its contact, if it
/// is still active at `step`.
async fn take(
    tx: &mut TenantTx,
    id: DripSubscriberId,
    step: i64,
) -> anyhow::Result<Option<(DripSubscriber, Definition, Contact)>> {
    let s = match tx.claim_drip_subscriber(id).await {
        Ok(s) => s,
        Err(StoreError::NotFound) => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    if s.status != SubscriberStatus::Active || s.step != step {
        return Ok(None);
    }
    let drip = match tx.find_drip(s.drip_id).await {
        Ok(d) => d,
        Err(StoreError::NotFound) => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    let def = read(&drip).map_err(|e| anyhow::anyhow!("{e:#}"))?;
    let mut contact = tx.find_contact(s.contact_id).await?;
    tx.load_contact_tags(std::slice::from_mut(&mut contact))
        .await?;
    Ok(Some((s, def, contact)))
}

/// Which exit rule holds for `s`'s contact as it is, if one does.
async fn exit_reason(
    tx: &mut TenantTx,
    s: &DripSubscriber,
    def: &Definition,
    contact: &Contact,
) -> anyhow::Result<Option<&'static str>> {
    if contact.opted_out_at.is_some() {
        return Ok(Some("opted_out"));
    }
    let has = |t: Option<domain::TagId>| t.is_some_and(|t| contact.tags.iter().any(|x| x.id == t));
    if has(def.exit.goal_tag_id) {
        return Ok(Some("goal"));
    }
    if has(def.exit.tag_id) {
        return Ok(Some("tagged"));
    }
    // When the message was stored (this server's clock, as the
    // enrolment's), not when Meta says it was written.
    if def.exit.on_reply
        && tx
            .last_inbound_stored_at(contact.id)
            .await?
            .is_some_and(|at| at > s.enrolled_at)
    {
        return Ok(Some("replied"));
    }
    Ok(None)
}

/// Sends `step` to `contact` in its latest conversation (or a new one on
/// the tenant's number): what went (`sent` or `skipped`, `text` or
/// `template`), its message and why nothing did.
async fn send(
    tx: &mut TenantTx,
    contact: &Contact,
    step: &DripStep,
    now: Timestamp,
) -> AppResult<(
    &'static str,
    &'static str,
    Option<domain::MessageId>,
    Option<String>,
)> {
    let latest = tx
        .list_contact_conversations(contact.id)
        .await?
        .into_iter()
        .next();
    let open = latest.as_ref().is_some_and(|c| c.window_open(now));
    let (content, kind) = match (&step.text, &step.template) {
        (Some(text), _) if open => (Content::Text { text: text.clone() }, "text"),
        (_, Some(t)) => (Content::Template(t.clone()), "template"),
        _ => {
            let why = "the 24-hour window was closed and the step has no template";
            return Ok(("skipped", "", None, Some(why.into())));
        }
    };
    let to = match (&latest, contact.wa_id.as_deref()) {
        (Some(_), _) => None,
        (None, Some(wa_id)) => Some(WaId::parse(wa_id)?),
        (None, None) => {
            return Err(AppError::Rule(
                "contact_has_no_number",
                "this contact has no WhatsApp number to write to".into(),
            ));
        }
    };
    let out = Outgoing {
        conversation_id: latest.map(|c| c.id),
        channel_id: None,
        to,
        reply_to: None,
        content: content.outgoing(),
        // Replies to customers go before a drip's messages.
        lane: Lane::Bulk,
    };
    let m = queue_message(tx, SentBy::Drip, out, now).await?;
    Ok(("sent", kind, Some(m.id), None))
}

/// Moves `s` past its step: the next one's job queued, or complete.
async fn advance(
    tx: &mut TenantTx,
    s: &mut DripSubscriber,
    def: &Definition,
    contact: &Contact,
    now: Timestamp,
) -> anyhow::Result<()> {
    let next = usize::try_from(s.step + 1)?;
    let Some(at) = due(tx, def, next, contact, now).await? else {
        return complete(tx, s, now).await;
    };
    s.step += 1;
    s.next_at = Some(at);
    s.updated_at = now;
    tx.update_drip_subscriber(s).await?;
    jobs::enqueue_step(tx, s.id, s.step, at).await?;
    Ok(())
}

async fn complete(tx: &mut TenantTx, s: &mut DripSubscriber, now: Timestamp) -> anyhow::Result<()> {
    s.end(SubscriberStatus::Completed, None, None, now);
    tx.update_drip_subscriber(s).await?;
    record(tx, Event::DripSubscriberCompleted(subscriber_ref(s)), now);
    Ok(())
}

/// The step's job gave up (internal errors, every attempt): the
/// enrolment ends as `failed` rather than stay active for ever.
pub async fn give_up(
    tx: &mut TenantTx,
    id: DripSubscriberId,
    step: i64,
    now: Timestamp,
) -> anyhow::Result<()> {
    let mut s = match tx.claim_drip_subscriber(id).await {
        Ok(s) if s.status == SubscriberStatus::Active && s.step == step => s,
        Ok(_) | Err(StoreError::NotFound) => return Ok(()),
        Err(e) => return Err(e.into()),
    };
    let detail = "internal_error: an internal error kept the step from being sent".to_owned();
    exit(tx, &mut s, "failed", Some(detail), now).await?;
    Ok(())
}
