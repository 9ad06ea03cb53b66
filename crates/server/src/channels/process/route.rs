//! Routing a stored webhook's events: each to the channel its
//! `metadata.phone_number_id` names (messages, statuses, echoes, calls, any
//! field naming a number), and only account-level events without one
//! (templates, `account_update`, …) by WABA id, to each tenant owning
//! numbers of that WABA. Look-ups are shared by a whole batch.

use super::super::apply::InboundEvent;
use super::tenants::ForTenant;
use crate::hooks;
use crate::hooks::cloud::Forward;
use domain::{ChannelId, TenantId, TenantStatus};
use std::collections::HashMap;
use store::channels::Channel;
use store::webhooks::StoredWebhook;
use store::{StoreError, SystemTx};
use whatsapp::WebhookEvent;

/// An event no tenant owns, kept for the operator.
pub(super) struct ForNobody {
    pub phone_number_id: Option<String>,
    pub waba_id: Option<String>,
    pub reason: &'static str,
    pub payload: String,
}

/// The routes of one batch: each number or WABA, and each tenant's status,
/// is looked up once however many of the batch's events name it.
#[derive(Default)]
pub(super) struct Router {
    routes: HashMap<(bool, String), Vec<(Channel, bool)>>,
    suspended: HashMap<TenantId, bool>,
    /// Whether each tenant forwards Meta's webhooks to a bot.
    forwarding: HashMap<TenantId, bool>,
}

impl Router {
    /// Routes every event of `webhook`, the batch's `w`th: those a tenant
    /// owns are added to `routed`, and its changes for tenants that forward
    /// Meta's webhooks to `forwards`; those nobody owns are answered.
    pub async fn route_webhook(
        &mut self,
        sys: &mut SystemTx,
        w: usize,
        webhook: &StoredWebhook,
        routed: &mut Vec<ForTenant>,
        forwards: &mut Vec<(TenantId, Forward)>,
    ) -> anyhow::Result<Vec<ForNobody>> {
        let first = routed.len();
        let nobody = self.route_events(sys, w, webhook, routed).await?;
        let mut owners: Vec<TenantId> = routed[first..]
            .iter()
            .filter(|r| !r.suspended)
            .map(|r| r.channel.tenant_id)
            .collect();
        owners.sort_unstable();
        owners.dedup();
        let mut forwarding = Vec::new();
        for t in owners {
            if self.forwards(sys, t).await? {
                forwarding.push(t);
            }
        }
        if !forwarding.is_empty() {
            self.route_changes(sys, webhook, &forwarding, forwards)
                .await?;
        }
        Ok(nobody)
    }

    /// Whether `tenant` has a Cloud-API endpoint (looked up once a batch).
    async fn forwards(&mut self, sys: &mut SystemTx, tenant: TenantId) -> anyhow::Result<bool> {
        if let Some(f) = self.forwarding.get(&tenant) {
            return Ok(*f);
        }
        let f = !sys.tenants_forwarding_webhooks(&[tenant]).await?.is_empty();
        self.forwarding.insert(tenant, f);
        Ok(f)
    }

    /// Each change of `webhook` to the tenant among `forwarding` owning it,
    /// routed as its events are (by number, else by WABA).
    async fn route_changes(
        &mut self,
        sys: &mut SystemTx,
        webhook: &StoredWebhook,
        forwarding: &[TenantId],
        forwards: &mut Vec<(TenantId, Forward)>,
    ) -> anyhow::Result<()> {
        let source = webhook.source_tenant;
        let mut shares: Vec<(TenantId, Forward)> = Vec::new();
        for change in hooks::cloud::changes(&webhook.body) {
            let route = change
                .phone_number_id
                .as_deref()
                .map_or(Route::Waba(&change.entry_id), Route::Number);
            let by_number = matches!(route, Route::Number(_));
            let owners: Vec<(TenantId, ChannelId)> = self
                .channels(sys, route)
                .await?
                .iter()
                .filter(|(c, suspended)| {
                    !suspended
                        && source.is_none_or(|t| t == c.tenant_id)
                        && forwarding.contains(&c.tenant_id)
                })
                .map(|(c, _)| (c.tenant_id, c.id))
                .collect();
            for (tenant, channel) in owners {
                let at = match shares.iter().position(|(t, _)| *t == tenant) {
                    Some(at) => at,
                    None => {
                        shares.push((
                            tenant,
                            Forward {
                                webhook: webhook.id,
                                changes: Vec::new(),
                            },
                        ));
                        shares.len() - 1
                    }
                };
                shares[at]
                    .1
                    .changes
                    .push((change.clone(), by_number.then_some(channel)));
            }
        }
        forwards.extend(shares);
        Ok(())
    }

    /// Routes every event of `webhook` (see [`Self::route_webhook`]).
    async fn route_events(
        &mut self,
        sys: &mut SystemTx,
        w: usize,
        webhook: &StoredWebhook,
        routed: &mut Vec<ForTenant>,
    ) -> anyhow::Result<Vec<ForNobody>> {
        let payload = match whatsapp::parse_webhook(&webhook.body) {
            Ok(payload) => payload,
            // Signed by Meta but not JSON we can read: keep it for the operator.
            Err(e) => {
                return Ok(vec![ForNobody {
                    phone_number_id: None,
                    waba_id: None,
                    reason: "unparseable",
                    payload: e.to_string(),
                }]);
            }
        };
        let source = webhook.source_tenant;
        let mut nobody = Vec::new();
        for (index, event) in payload.events().enumerate() {
            let (routing, inbound) = inbound_event(event)?;
            let channels = self.channels(sys, routing).await?;
            // On a tenant's own webhook URL, only that tenant's channels count.
            let owners: Vec<&(Channel, bool)> = channels
                .iter()
                .filter(|(c, _)| source.is_none_or(|t| t == c.tenant_id))
                .collect();
            if owners.is_empty() {
                let (pnid, waba) = match routing {
                    Route::Number(n) => (Some(n), Some(event.waba_id())),
                    Route::Waba(w) => (None, Some(w)),
                };
                nobody.push(ForNobody {
                    phone_number_id: pnid.map(str::to_owned),
                    waba_id: waba.map(str::to_owned),
                    reason: if source.is_some() {
                        "not_this_tenants_number"
                    } else {
                        "unknown_number"
                    },
                    payload: serde_json::to_string(&inbound)?,
                });
                continue;
            }
            for (channel, suspended) in owners {
                routed.push(ForTenant {
                    webhook: w,
                    index,
                    channel: channel.clone(),
                    suspended: *suspended,
                    event: inbound.clone(),
                });
            }
        }
        Ok(nobody)
    }

    /// The channels an event routed by `r` belongs to, with whether their
    /// tenant is suspended: exactly one for a number, one per tenant
    /// owning numbers of a WABA for account-level events.
    async fn channels(
        &mut self,
        sys: &mut SystemTx,
        r: Route<'_>,
    ) -> anyhow::Result<&Vec<(Channel, bool)>> {
        let key = match r {
            Route::Number(n) => (true, n.to_owned()),
            Route::Waba(w) => (false, w.to_owned()),
        };
        if !self.routes.contains_key(&key) {
            let found = match r {
                Route::Number(pnid) => match sys.find_channel_by_phone_number_id(pnid).await {
                    Ok(c) => vec![c],
                    Err(StoreError::NotFound) => vec![],
                    Err(e) => return Err(e.into()),
                },
                Route::Waba(waba) => {
                    let mut seen = std::collections::HashSet::new();
                    sys.find_channels_by_waba(waba)
                        .await?
                        .into_iter()
                        .filter(|c| seen.insert(c.tenant_id))
                        .collect()
                }
            };
            let mut channels = Vec::with_capacity(found.len());
            for channel in found {
                let suspended = match self.suspended.get(&channel.tenant_id) {
                    Some(s) => *s,
                    None => {
                        let s = sys.find_tenant(channel.tenant_id).await?.status
                            == TenantStatus::Suspended;
                        self.suspended.insert(channel.tenant_id, s);
                        s
                    }
                };
                channels.push((channel, suspended));
            }
            self.routes.insert(key.clone(), channels);
        }
        Ok(&self.routes[&key])
    }
}

/// How one parsed event is routed, and the form it is applied (or held) in.
fn inbound_event(event: WebhookEvent<'_>) -> anyhow::Result<(Route<'_>, InboundEvent)> {
    Ok(match event {
        WebhookEvent::Message {
            phone_number_id,
            contact,
            message,
            ..
        } => (
            Route::Number(phone_number_id),
            InboundEvent::Message {
                contact: contact.cloned(),
                message: Box::new(message.clone()),
            },
        ),
        WebhookEvent::Status {
            phone_number_id,
            status,
            ..
        } => (
            Route::Number(phone_number_id),
            InboundEvent::Status {
                status: Box::new(status.clone()),
            },
        ),
        WebhookEvent::Echo {
            phone_number_id,
            message,
            ..
        } => (
            Route::Number(phone_number_id),
            InboundEvent::Echo {
                message: Box::new(message.clone()),
            },
        ),
        WebhookEvent::ValueError {
            phone_number_id,
            error,
            ..
        } => (
            Route::Number(phone_number_id),
            InboundEvent::Other {
                field: "errors".into(),
                value: serde_json::to_value(error)?,
            },
        ),
        WebhookEvent::TemplateStatus {
            waba_id, update, ..
        } => (
            Route::Waba(waba_id),
            InboundEvent::Other {
                field: "message_template_status_update".into(),
                value: serde_json::to_value(update)?,
            },
        ),
        WebhookEvent::Other {
            waba_id,
            phone_number_id,
            field,
            value,
        } => (
            phone_number_id.map_or(Route::Waba(waba_id), Route::Number),
            InboundEvent::Other {
                field: field.to_owned(),
                value: value.clone(),
            },
        ),
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Route<'a> {
    Number(&'a str),
    Waba(&'a str),
}
